package org.jamesrouting.smtpclient;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jamesrouting.nexthop.HopGroup;
import org.jamesrouting.nexthop.NextHops;

/**
 * Asks a route's server whether it knows a recipient, as Postfix's {@code reject_unverified_recipient}
 * and Exim's {@code verify=recipient/callout} do: {@code MAIL FROM:<>}, {@code RCPT TO:<address>},
 * {@code RSET}, on a connection kept open for the next question (idle at most {@link #KEEP_IDLE},
 * at most {@link #MAX_CONNECTIONS} kept). The hosts are tried in the route's order; the first
 * that answers RCPT decides. No message is ever sent.
 */
public final class RecipientProbe implements AutoCloseable {
    /** What the server said. */
    public sealed interface Answer {
    }

    /** 2xx: it takes mail for the recipient. */
    public record Known(String host) implements Answer {
    }

    /** 5xx: it does not know the recipient; {@code reply}: its words. */
    public record Unknown(String host, String reply) implements Answer {
    }

    /** No server could be asked, or one answered 4xx: {@code reason}. */
    public record NotAsked(String reason) implements Answer {
    }

    public static final Duration KEEP_IDLE = Duration.ofSeconds(30);
    public static final int MAX_CONNECTIONS = 32;

    private record Kept(SmtpConnection connection, Instant since) {
    }

    private final NextHops nextHops;
    private final SmtpClientSettings settings;
    private final Clock clock;
    private final Map<InetSocketAddress, Kept> kept = new LinkedHashMap<>();

    public RecipientProbe(NextHops nextHops, SmtpClientSettings settings, Clock clock) {
        this.nextHops = nextHops;
        this.settings = settings;
        this.clock = clock;
    }

    /** Asks the hosts of {@code group} (a route's own hosts) about {@code recipient}. */
    public Answer ask(HopGroup group, String recipient) {
        NextHops.Expansion expansion = nextHops.expand(group);
        if (!(expansion instanceof NextHops.Hosts hosts)) {
            return new NotAsked(group.label() + ": no host to ask");
        }
        String last = group.label() + ": no host could be asked";
        for (NextHops.Host host : hosts.hosts()) {
            if (host.skip().isPresent()) {
                last = host.name() + ": " + host.skip().get().brief();
                continue;
            }
            for (java.net.InetAddress address : host.addresses()) {
                InetSocketAddress target = new InetSocketAddress(address, host.port());
                try {
                    SmtpReply reply = rcpt(target, host, group, recipient);
                    if (reply.code() / 100 == 2) {
                        return new Known(host.name());
                    }
                    if (reply.code() / 100 == 5) {
                        return new Unknown(host.name(), reply.firstLine());
                    }
                    last = host.name() + " answered " + reply.firstLine();
                } catch (IOException e) {
                    last = host.name() + ":" + host.port() + ": " + e.getMessage();
                }
            }
        }
        return new NotAsked(last);
    }

    /** RCPT's reply on a kept or new connection (a kept one that broke is replaced once). */
    private SmtpReply rcpt(InetSocketAddress target, NextHops.Host host, HopGroup group, String recipient) throws IOException {
        SmtpConnection connection = borrow(target);
        boolean reused = connection != null;
        if (connection == null) {
            connection = SmtpConnection.open(target, host.name(), host.tls(), host.certificateNames(), host.dane(),
                settings.from(group.identity()));
        }
        try {
            SmtpReply mail = connection.command("MAIL FROM:<>");
            if (mail.code() / 100 != 2) {
                connection.close();
                return mail;
            }
            SmtpReply rcpt = connection.command("RCPT TO:<" + recipient + ">");
            connection.command("RSET");
            giveBack(target, connection);
            return rcpt;
        } catch (IOException e) {
            connection.close();
            if (reused) {
                return rcpt(target, host, group, recipient);
            }
            throw e;
        }
    }

    private synchronized SmtpConnection borrow(InetSocketAddress target) {
        Kept idle = kept.remove(target);
        if (idle == null) {
            return null;
        }
        if (Duration.between(idle.since(), clock.instant()).compareTo(KEEP_IDLE) > 0) {
            idle.connection().close();
            return null;
        }
        return idle.connection();
    }

    private synchronized void giveBack(InetSocketAddress target, SmtpConnection connection) {
        Kept previous = kept.put(target, new Kept(connection, clock.instant()));
        if (previous != null) {
            previous.connection().close();
        }
        while (kept.size() > MAX_CONNECTIONS) {
            InetSocketAddress eldest = kept.keySet().iterator().next();
            kept.remove(eldest).connection().close();
        }
    }

    @Override
    public synchronized void close() {
        kept.values().forEach(idle -> idle.connection().close());
        kept.clear();
    }

    /** For tests: the hosts with a connection kept. */
    synchronized List<InetSocketAddress> keptFor() {
        return List.copyOf(kept.keySet());
    }
}
