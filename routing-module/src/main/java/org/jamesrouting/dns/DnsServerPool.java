package org.jamesrouting.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SimpleResolver;

/**
 * The administrator's DNS servers, asked in order. A server that does not answer (or answers
 * SERVFAIL/REFUSED) is skipped for {@link #PENALTY} and the next one asked, so one dead server
 * costs one timeout, not one per lookup; when every server is in penalty they are all asked
 * anyway. Keeps, per server, queries, failures and answer times for {@code /routing/status}.
 */
public final class DnsServerPool {
    public static final Duration PENALTY = Duration.ofSeconds(30);

    /** A server as status shows it. */
    public record ServerStatus(String server, long queries, long failures, long averageMillis, String skippedUntil) {
    }

    private static final class Server {
        final InetSocketAddress address;
        final SimpleResolver resolver;
        long queries;
        long failures;
        long answers;
        long totalNanos;
        Instant skipUntil = Instant.MIN;

        Server(InetSocketAddress address, Duration timeout) {
            this.address = address;
            this.resolver = new SimpleResolver(address);
            resolver.setTimeout(timeout);
        }
    }

    private final List<Server> servers = new ArrayList<>();
    private final Clock clock;

    public DnsServerPool(List<InetSocketAddress> addresses, Duration timeout, Clock clock) {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no DNS server");
        }
        addresses.forEach(address -> servers.add(new Server(address, timeout)));
        this.clock = clock;
    }

    /** The first usable answer: NOERROR or NXDOMAIN. */
    public Message send(Message query) throws IOException {
        Instant now = clock.instant();
        List<Server> order = new ArrayList<>();
        List<Server> penalized = new ArrayList<>();
        synchronized (this) {
            for (Server server : servers) {
                (server.skipUntil.isAfter(now) ? penalized : order).add(server);
            }
        }
        order.addAll(penalized);
        IOException lastFailure = null;
        Message lastAnswer = null;
        for (Server server : order) {
            long start = System.nanoTime();
            try {
                Message answer = server.resolver.send(query);
                int rcode = answer.getRcode();
                boolean usable = rcode == Rcode.NOERROR || rcode == Rcode.NXDOMAIN;
                record(server, usable, System.nanoTime() - start);
                if (usable) {
                    return answer;
                }
                lastAnswer = answer;
            } catch (IOException e) {
                record(server, false, System.nanoTime() - start);
                lastFailure = new IOException(server.address.getAddress().getHostAddress() + ":" + server.address.getPort() + ": "
                    + e.getMessage(), e);
            }
        }
        if (lastAnswer != null) {
            return lastAnswer;
        }
        throw lastFailure;
    }

    private synchronized void record(Server server, boolean answered, long nanos) {
        server.queries++;
        if (answered) {
            server.answers++;
            server.totalNanos += nanos;
        } else {
            server.failures++;
            server.skipUntil = clock.instant().plus(PENALTY);
        }
    }

    public synchronized List<ServerStatus> status() {
        Instant now = clock.instant();
        List<ServerStatus> result = new ArrayList<>();
        for (Server server : servers) {
            result.add(new ServerStatus(server.address.getAddress().getHostAddress() + ":" + server.address.getPort(), server.queries,
                server.failures, server.answers == 0 ? 0 : server.totalNanos / server.answers / 1_000_000,
                server.skipUntil.isAfter(now) ? server.skipUntil.toString() : null));
        }
        return result;
    }
}
