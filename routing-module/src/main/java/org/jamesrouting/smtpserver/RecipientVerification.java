package org.jamesrouting.smtpserver;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import javax.inject.Inject;
import javax.inject.Singleton;

import org.jamesrouting.dns.DnsPins;
import org.jamesrouting.engine.OutboundEngine;
import org.jamesrouting.engine.Running;
import org.jamesrouting.nexthop.HopGroup;
import org.jamesrouting.nexthop.NextHops;
import org.jamesrouting.smtpclient.RecipientProbe;

/**
 * The answers of routes' servers about recipients, cached (Postfix's verify cache): a known
 * recipient for {@link #POSITIVE_TTL}, an unknown one for {@link #NEGATIVE_TTL}; a server that
 * could not be asked is asked again next time. At most {@link #MAX_ENTRIES} answers are kept
 * (the least recently used leave first): senders choose the addresses, the cache must not grow
 * with them. One for the server: both SMTP listeners share it.
 */
@Singleton
public final class RecipientVerification {
    public static final Duration POSITIVE_TTL = Duration.ofHours(1);
    public static final Duration NEGATIVE_TTL = Duration.ofMinutes(10);
    public static final int MAX_ENTRIES = 10_000;

    private record Cached(RecipientProbe.Answer answer, Instant until) {
    }

    /** Asks a route's server (a {@link RecipientProbe} of the running router). */
    interface Asker {
        RecipientProbe.Answer ask(HopGroup group, String recipient);
    }

    private final java.util.function.Supplier<Optional<Asker>> asker;
    private final Clock clock;
    private final Map<String, Cached> cache = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
            return size() > MAX_ENTRIES;
        }
    };
    @Inject
    public RecipientVerification(OutboundEngine engine, DnsPins pins) {
        this(new Probes(engine, pins, Clock.systemUTC())::current, Clock.systemUTC());
    }

    /** @param asker the running router's way to ask; empty while it is not running */
    RecipientVerification(java.util.function.Supplier<Optional<Asker>> asker, Clock clock) {
        this.asker = asker;
        this.clock = clock;
    }

    /**
     * What the route's server says of {@code recipient}, from the cache when it answered lately.
     *
     * @param group the route's own hosts, as delivery would try them
     */
    public RecipientProbe.Answer verify(String routeId, HopGroup group, String recipient) {
        String key = routeId + " " + recipient.toLowerCase(Locale.ROOT);
        Instant now = clock.instant();
        synchronized (cache) {
            Cached cached = cache.get(key);
            if (cached != null && cached.until().isAfter(now)) {
                return cached.answer();
            }
        }
        Optional<Asker> current = asker.get();
        if (current.isEmpty()) {
            return new RecipientProbe.NotAsked("the outbound router is not running");
        }
        RecipientProbe.Answer answer = current.get().ask(group, recipient);
        Optional<Duration> ttl = answer instanceof RecipientProbe.Known ? Optional.of(POSITIVE_TTL)
            : answer instanceof RecipientProbe.Unknown ? Optional.of(NEGATIVE_TTL) : Optional.empty();
        ttl.ifPresent(keep -> {
            synchronized (cache) {
                cache.put(key, new Cached(answer, clock.instant().plus(keep)));
            }
        });
        return answer;
    }

    /** Answers kept now. */
    public int size() {
        synchronized (cache) {
            return cache.size();
        }
    }

    /** The probe of the running router, made anew when the router was restarted with other settings. */
    private static final class Probes {
        private final OutboundEngine engine;
        private final DnsPins pins;
        private final Clock clock;
        private RecipientProbe probe;
        private Running probeFor;

        Probes(OutboundEngine engine, DnsPins pins, Clock clock) {
            this.engine = engine;
            this.pins = pins;
            this.clock = clock;
        }

        synchronized Optional<Asker> current() {
            Optional<Running> running = engine.running();
            if (running.isEmpty()) {
                return Optional.empty();
            }
            if (probe == null || probeFor != running.get()) {
                if (probe != null) {
                    probe.close();
                }
                Running active = running.get();
                probe = new RecipientProbe(new NextHops(active.dns(), pins, active.configuration().mxPort(), active.mtaSts()),
                    active.settings(), clock);
                probeFor = active;
            }
            return Optional.of(probe::ask);
        }
    }
}
