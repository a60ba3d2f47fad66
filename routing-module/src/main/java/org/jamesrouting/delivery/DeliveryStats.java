package org.jamesrouting.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the outbound router did, per destination (a route, the smart host, a domain's MX):
 * recipients delivered, deferred and bounced in the last minute and the last hour (in one-minute
 * buckets), and the last remote reply of a deferral or bounce. In memory, for
 * {@code GET /routing/status}; cheap enough to record every outcome.
 */
public final class DeliveryStats {
    private static final int MINUTES = 60;

    /** Counts over a period. */
    public record Counts(long delivered, long deferred, long bounced) {
        Counts plus(Counts other) {
            return new Counts(delivered + other.delivered, deferred + other.deferred, bounced + other.bounced);
        }
    }

    /** One destination now. */
    public record Destination(String name, Counts lastMinute, Counts lastHour, Optional<String> lastProblem, Optional<Instant> lastProblemAt,
                              Optional<String> lastTls) {
    }

    private static final class Buckets {
        final long[] minute = new long[MINUTES];
        final long[] delivered = new long[MINUTES];
        final long[] deferred = new long[MINUTES];
        final long[] bounced = new long[MINUTES];
        String lastProblem;
        Instant lastProblemAt;
        /** How the latest connection that answered was protected. */
        String lastTls;
        RecipientOutcome.Kind lastKind;
        Instant lastAt;

        synchronized void add(long nowMinute, RecipientOutcome.Kind kind) {
            int slot = (int) (nowMinute % MINUTES);
            if (minute[slot] != nowMinute) {
                minute[slot] = nowMinute;
                delivered[slot] = 0;
                deferred[slot] = 0;
                bounced[slot] = 0;
            }
            switch (kind) {
                case DELIVERED -> delivered[slot]++;
                case TEMPORARY -> deferred[slot]++;
                case PERMANENT -> bounced[slot]++;
            }
        }

        synchronized Counts since(long nowMinute, int minutes) {
            long d = 0;
            long t = 0;
            long b = 0;
            for (int slot = 0; slot < MINUTES; slot++) {
                if (minute[slot] > nowMinute - minutes && minute[slot] <= nowMinute) {
                    d += delivered[slot];
                    t += deferred[slot];
                    b += bounced[slot];
                }
            }
            return new Counts(d, t, b);
        }
    }

    /** Where first attempts were made: straight from the spool, or after a pass through the outgoing queue. */
    public record FirstAttempts(long fromSpool, long throughQueue) {
    }

    private final Clock clock;
    private final Map<String, Buckets> destinations = new ConcurrentHashMap<>();
    private final AtomicLong fromSpool = new AtomicLong();
    private final AtomicLong throughQueue = new AtomicLong();

    public DeliveryStats(Clock clock) {
        this.clock = clock;
    }

    /** Destinations kept at most; past it the ones with the oldest news are forgotten (a tenth at a time). */
    static final int MAX_DESTINATIONS = 10_000;

    private Buckets buckets(String destination) {
        Buckets buckets = destinations.get(destination);
        if (buckets != null) {
            return buckets;
        }
        if (destinations.size() >= MAX_DESTINATIONS) {
            forgetOldest();
        }
        return destinations.computeIfAbsent(destination, any -> new Buckets());
    }

    private synchronized void forgetOldest() {
        if (destinations.size() < MAX_DESTINATIONS) {
            return;
        }
        List<Map.Entry<String, Instant>> byAge = new ArrayList<>();
        destinations.forEach((name, buckets) -> {
            synchronized (buckets) {
                byAge.add(Map.entry(name, buckets.lastAt == null ? Instant.MIN : buckets.lastAt));
            }
        });
        byAge.sort(Map.Entry.comparingByValue());
        byAge.subList(0, Math.max(1, MAX_DESTINATIONS / 10)).forEach(entry -> destinations.remove(entry.getKey()));
    }

    /** How many destinations are remembered. */
    public int destinationCount() {
        return destinations.size();
    }

    public void record(String destination, RecipientOutcome outcome) {
        Buckets buckets = buckets(destination);
        Instant now = clock.instant();
        buckets.add(now.getEpochSecond() / 60, outcome.kind());
        synchronized (buckets) {
            buckets.lastKind = outcome.kind();
            buckets.lastAt = now;
            if (outcome.tls().isPresent()) {
                buckets.lastTls = outcome.tls().get();
            }
            if (outcome.kind() != RecipientOutcome.Kind.DELIVERED) {
                buckets.lastProblem = (outcome.remoteReply() ? "" : outcome.status() + " ") + outcome.diagnostic()
                    + outcome.remoteMta().map(mta -> " (" + mta + ")").orElse("");
                buckets.lastProblemAt = now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            }
        }
    }

    /**
     * A problem with one hop of a destination that did not decide a recipient's outcome (the
     * next hop took the mail): shown as its last problem, not counted.
     */
    public void problem(String destination, String problem) {
        Buckets buckets = buckets(destination);
        synchronized (buckets) {
            buckets.lastProblem = problem;
            buckets.lastProblemAt = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        }
    }

    /**
     * Whether the destination's latest outcome was a deferral, less than {@code window} ago: it
     * is probably still down or refusing, so new mail for it should not tie up a thread trying.
     */
    public boolean deferringNow(String destination, Duration window) {
        Buckets buckets = destinations.get(destination);
        if (buckets == null) {
            return false;
        }
        synchronized (buckets) {
            return buckets.lastKind == RecipientOutcome.Kind.TEMPORARY && buckets.lastAt.plus(window).isAfter(clock.instant());
        }
    }

    /** A mail's first delivery attempt starts, on a spool thread ({@code fromSpool}) or a delivery thread. */
    public void firstAttempt(boolean fromSpool) {
        (fromSpool ? this.fromSpool : throughQueue).incrementAndGet();
    }

    public FirstAttempts firstAttempts() {
        return new FirstAttempts(fromSpool.get(), throughQueue.get());
    }

    /** Every destination seen since the start, by name. */
    public List<Destination> destinations() {
        long nowMinute = clock.instant().getEpochSecond() / 60;
        List<Destination> result = new ArrayList<>();
        new TreeMap<>(destinations).forEach((name, buckets) -> {
            synchronized (buckets) {
                result.add(new Destination(name, buckets.since(nowMinute, 1), buckets.since(nowMinute, MINUTES),
                    Optional.ofNullable(buckets.lastProblem), Optional.ofNullable(buckets.lastProblemAt),
                    Optional.ofNullable(buckets.lastTls)));
            }
        });
        return result;
    }

    /** All destinations together. */
    public Counts total(boolean lastMinuteOnly) {
        return destinations().stream().map(destination -> lastMinuteOnly ? destination.lastMinute() : destination.lastHour())
            .reduce(new Counts(0, 0, 0), Counts::plus);
    }
}
