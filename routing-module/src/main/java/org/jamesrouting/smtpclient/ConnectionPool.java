package org.jamesrouting.smtpclient;

import org.jamesrouting.delivery.OutboundDelivery;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

import org.jamesrouting.route.TlsMode;

/**
 * Open SMTP connections kept for the next transaction to the same hop (same address, port,
 * TLS mode, AUTH user, server name, and local address and EHLO name): no new TCP, TLS and AUTH handshake per message. A
 * connection is reused at most as often as the delivery handing it back allows (its route's
 * messages-per-connection) and never after {@code maxIdle}. One idle
 * for longer than {@link #CHECK_AFTER} is checked with NOOP before reuse (a dead one is
 * dropped); one used moments ago is handed out unchecked, saving a round trip per message: if
 * it turns out dead before the server answered anything, the delivery opens a new connection
 * (see {@link OutboundDelivery}).
 */
public final class ConnectionPool implements Closeable {
    public record Key(InetSocketAddress address, String serverName, TlsMode tls, Optional<String> authUser,
                      org.jamesrouting.route.SourceIdentity identity) {
        public Key(InetSocketAddress address, String serverName, TlsMode tls, Optional<String> authUser) {
            this(address, serverName, tls, authUser, org.jamesrouting.route.SourceIdentity.DEFAULT);
        }
    }

    private record Idle(SmtpConnection connection, Instant since, int uses) {
    }

    /** Idle this long or less: reused without a NOOP check. */
    public static final Duration CHECK_AFTER = Duration.ofSeconds(2);

    /**
     * A connection borrowed from the pool or just opened, with how often it was used before;
     * {@code unchecked}: reused without a NOOP check.
     */
    public record Lease(SmtpConnection connection, int uses, boolean reused, boolean unchecked) {
    }

    /** Idle connections kept at most, all hops together (each holds a socket and its buffers). */
    public static final int MAX_IDLE_CONNECTIONS = 256;

    private final Map<Key, Deque<Idle>> idle = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger idleTotal = new java.util.concurrent.atomic.AtomicInteger();
    private final int maxIdleConnections;
    private final Duration maxIdle;
    private final Clock clock;

    public ConnectionPool(Duration maxIdle, Clock clock) {
        this(maxIdle, MAX_IDLE_CONNECTIONS, clock);
    }

    public ConnectionPool(Duration maxIdle, int maxIdleConnections, Clock clock) {
        this.maxIdleConnections = maxIdleConnections;
        this.maxIdle = maxIdle;
        this.clock = clock;
    }

    /** A live idle connection for that hop, if there is one. */
    public Optional<Lease> borrow(Key key) {
        Deque<Idle> connections = idle.get(key);
        if (connections == null) {
            return Optional.empty();
        }
        Idle candidate;
        while ((candidate = connections.pollFirst()) != null) {
            idleTotal.decrementAndGet();
            Duration idleFor = Duration.between(candidate.since(), clock.instant());
            if (idleFor.compareTo(maxIdle) > 0) {
                candidate.connection().close();
                continue;
            }
            if (idleFor.compareTo(CHECK_AFTER) <= 0) {
                return Optional.of(new Lease(candidate.connection(), candidate.uses(), true, true));
            }
            try {
                if (candidate.connection().command("NOOP").code() == 250) {
                    return Optional.of(new Lease(candidate.connection(), candidate.uses(), true, false));
                }
            } catch (IOException e) {
                // dropped by the server while idle
            }
            candidate.connection().close();
        }
        return Optional.empty();
    }

    /** Hands a connection back after a clean transaction; closes it after {@code maxUses} (this delivery's limit). */
    public void giveBack(Key key, Lease lease, int maxUses) {
        int uses = lease.uses() + 1;
        if (uses >= maxUses) {
            lease.connection().close();
            return;
        }
        if (idleTotal.incrementAndGet() > maxIdleConnections) {
            // mail to many destinations at once: keep no more than this many sessions open
            idleTotal.decrementAndGet();
            lease.connection().close();
            return;
        }
        Idle entry = new Idle(lease.connection(), clock.instant(), uses);
        idle.compute(key, (any, connections) -> {
            Deque<Idle> kept = connections == null ? new ConcurrentLinkedDeque<>() : connections;
            kept.addFirst(entry);
            return kept;
        });
    }

    /**
     * Closes connections idle for longer than allowed, and forgets hops with none left (mail to
     * a million domains leaves no million keys behind); call it now and then.
     */
    public void closeIdle() {
        Instant now = clock.instant();
        idle.values().forEach(connections -> connections.removeIf(entry -> {
            boolean expired = Duration.between(entry.since(), now).compareTo(maxIdle) > 0;
            if (expired) {
                idleTotal.decrementAndGet();
                entry.connection().close();
            }
            return expired;
        }));
        for (Key key : idle.keySet()) {
            idle.computeIfPresent(key, (any, connections) -> connections.isEmpty() ? null : connections);
        }
    }

    /** Hops with idle connections kept. */
    public int hopCount() {
        return idle.size();
    }

    public int idleCount() {
        return idle.values().stream().mapToInt(Deque::size).sum();
    }

    @Override
    public void close() {
        idle.values().forEach(connections -> {
            Idle entry;
            while ((entry = connections.pollFirst()) != null) {
                idleTotal.decrementAndGet();
                entry.connection().close();
            }
        });
    }
}
