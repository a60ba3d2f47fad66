package org.jamesrouting.schedule;

import org.jamesrouting.nexthop.DeliveryPlan;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * How many deliveries may talk to one destination at once (a route, the smart host, a domain's
 * MX), so that a slow or greylisting destination holds at most that many of the delivery
 * threads and mail for the others keeps flowing.
 *
 * <p>A delivery that finds its destination full waits for a slot only when the destination is
 * quick (its deliveries have lately held a slot for {@link #QUICK} or less, or none has finished
 * yet) and fewer than {@code perDestination} others are waiting for it already: the slot is
 * then a few milliseconds away, much less than a trip back through the queue. Otherwise, or
 * when the wait runs out, it does not wait: the mail goes back to the queue for a moment.
 */
public final class DestinationLimits {
    /** A destination whose deliveries hold a slot this long or less is worth waiting for. */
    public static final Duration QUICK = Duration.ofMillis(250);
    /** Weight of the latest delivery in the moving average of slot holding times. */
    private static final double WEIGHT = 0.2;
    /** Past this many destinations, an idle one is forgotten (with its average) when its last delivery ends. */
    private static final int REMEMBERED = 10_000;

    /** Held while delivering; closing it frees the slot. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    /** One destination's slots; guarded by itself. */
    private static final class Slots {
        int inFlight;
        int waiting;
        /** Moving average of how long a delivery held a slot, in nanoseconds; negative: none yet. */
        double averageNanos = -1;
        /** Taken out of the map: whoever still holds this object takes a fresh one. */
        boolean retired;

        boolean quick() {
            return averageNanos < 0 || averageNanos <= QUICK.toNanos();
        }
    }

    private final int perDestination;
    private final LongSupplier nanoTime;
    private final int remembered;
    private final Map<String, Slots> destinations = new ConcurrentHashMap<>();

    public DestinationLimits(int perDestination) {
        this(perDestination, System::nanoTime, REMEMBERED);
    }

    DestinationLimits(int perDestination, LongSupplier nanoTime, int remembered) {
        if (perDestination < 1) {
            throw new IllegalArgumentException("per-destination limit " + perDestination);
        }
        this.perDestination = perDestination;
        this.nanoTime = nanoTime;
        this.remembered = remembered;
    }

    /** A slot for the destination, or empty when it already has {@code perDestination} deliveries. */
    public Optional<Permit> tryAcquire(String destination) {
        return acquire(destination, Duration.ZERO);
    }

    /**
     * A slot for the destination; when it is full, waits up to {@code patience} for one if the
     * destination is quick and not already awaited by {@code perDestination} others.
     */
    public Optional<Permit> acquire(String destination, Duration patience) {
        while (true) {
            Slots slots = destinations.computeIfAbsent(destination, any -> new Slots());
            synchronized (slots) {
                if (slots.retired) {
                    continue;
                }
                if (slots.inFlight >= perDestination && !awaitSlot(slots, patience)) {
                    return Optional.empty();
                }
                slots.inFlight++;
                return Optional.of(new Held(destination, slots, nanoTime.getAsLong()));
            }
        }
    }

    /** Called holding the slots' lock: whether a slot came free within the patience. */
    private boolean awaitSlot(Slots slots, Duration patience) {
        if (patience.isZero() || !slots.quick() || slots.waiting >= perDestination) {
            return false;
        }
        long deadline = nanoTime.getAsLong() + patience.toNanos();
        slots.waiting++;
        try {
            long left;
            while (slots.inFlight >= perDestination && (left = deadline - nanoTime.getAsLong()) > 0) {
                slots.wait(Math.max(1, left / 1_000_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            slots.waiting--;
        }
        return slots.inFlight < perDestination;
    }

    private final class Held implements Permit {
        private final String destination;
        private final Slots slots;
        private final long since;
        private boolean closed;

        Held(String destination, Slots slots, long since) {
            this.destination = destination;
            this.slots = slots;
            this.since = since;
        }

        @Override
        public void close() {
            long held = nanoTime.getAsLong() - since;
            synchronized (slots) {
                if (closed) {
                    return;
                }
                closed = true;
                slots.inFlight--;
                slots.averageNanos = slots.averageNanos < 0 ? held : WEIGHT * held + (1 - WEIGHT) * slots.averageNanos;
                slots.notify();
                if (slots.inFlight == 0 && slots.waiting == 0 && destinations.size() > remembered) {
                    slots.retired = true;
                    destinations.remove(destination, slots);
                }
            }
        }
    }

    public int inFlight(String destination) {
        Slots slots = destinations.get(destination);
        if (slots == null) {
            return 0;
        }
        synchronized (slots) {
            return slots.inFlight;
        }
    }

    /** Deliveries waiting for a slot of the destination now. */
    int waiting(String destination) {
        Slots slots = destinations.get(destination);
        if (slots == null) {
            return 0;
        }
        synchronized (slots) {
            return slots.waiting;
        }
    }

    /** Destinations remembered now (with their averages). */
    int remembered() {
        return destinations.size();
    }

    /** Deliveries under way, by destination (destinations with none left out). */
    public Map<String, Integer> snapshot() {
        Map<String, Integer> snapshot = new HashMap<>();
        destinations.forEach((destination, slots) -> {
            synchronized (slots) {
                if (slots.inFlight > 0) {
                    snapshot.put(destination, slots.inFlight);
                }
            }
        });
        return Map.copyOf(snapshot);
    }

    public int perDestination() {
        return perDestination;
    }

    /** The destination a plan talks to first: the route, the smart host or the MX of a domain. */
    public static String destinationOf(DeliveryPlan plan) {
        return plan.groups().get(0).destination();
    }
}
