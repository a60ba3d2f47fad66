package org.jamesrouting.schedule;

import org.jamesrouting.nexthop.DeliveryPlan;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
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
 *
 * <p>Mail taken from the queue does not wait on its thread: it {@linkplain #acquireOrQueue
 * queues in memory} for the destination (at most {@link #QUEUED_PER_DESTINATION} per
 * destination, {@link #QUEUED_TOTAL} in all) and is handed the slot of the delivery that ends
 * next, first come first served, while the thread goes on with other mail. This is Postfix's
 * active queue: mail waits for a busy destination in memory, not by trips through the disk.
 */
public final class DestinationLimits {
    /** A destination whose deliveries hold a slot this long or less is worth waiting for. */
    public static final Duration QUICK = Duration.ofMillis(250);
    /** Weight of the latest delivery in the moving average of slot holding times. */
    private static final double WEIGHT = 0.2;
    /** Past this many destinations, an idle one is forgotten (with its average) when its last delivery ends. */
    private static final int REMEMBERED = 10_000;

    /** Mail queued in memory for one destination, at most. */
    public static final int QUEUED_PER_DESTINATION = 64;
    /** Mail queued in memory for all destinations, at most. */
    public static final int QUEUED_TOTAL = 256;

    /** Held while delivering; closing it frees the slot. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    /** One destination's slots; guarded by itself. */
    private static final class Slots {
        int inFlight;
        int waiting;
        /** Mail queued in memory for a slot, in the order it came. */
        final ArrayDeque<SlotWaiter> queued = new ArrayDeque<>();
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
    private final int queuedPerDestination;
    private final int queuedInAll;
    private final Map<String, Slots> destinations = new ConcurrentHashMap<>();
    private final AtomicInteger queuedTotal = new AtomicInteger();

    /** Mail queued in memory for a slot: handed the slot when a delivery of the destination ends. */
    public interface SlotWaiter {
        /** The slot is this mail's now (called on the thread whose delivery ended: hand the work on). */
        void granted(Permit permit);
    }

    /** What {@link #acquireOrQueue} did. */
    public sealed interface Turn {
    }

    /** A slot now. */
    public record Now(Permit permit) implements Turn {
    }

    /** Queued in memory: the waiter is {@linkplain SlotWaiter#granted granted} a slot later. */
    public record Queued() implements Turn {
    }

    /** Full, and no room to queue in memory: the mail waits in the durable queue. */
    public record NoRoom() implements Turn {
    }

    public DestinationLimits(int perDestination) {
        this(perDestination, System::nanoTime, REMEMBERED, QUEUED_PER_DESTINATION, QUEUED_TOTAL);
    }

    DestinationLimits(int perDestination, LongSupplier nanoTime, int remembered) {
        this(perDestination, nanoTime, remembered, QUEUED_PER_DESTINATION, QUEUED_TOTAL);
    }

    DestinationLimits(int perDestination, LongSupplier nanoTime, int remembered, int queuedPerDestination, int queuedInAll) {
        this.queuedPerDestination = queuedPerDestination;
        this.queuedInAll = queuedInAll;
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

    /**
     * A slot for the destination now, or else a place in its in-memory queue (when there is room):
     * the waiter is then given the slot of the next delivery that ends.
     */
    public Turn acquireOrQueue(String destination, SlotWaiter waiter) {
        while (true) {
            Slots slots = destinations.computeIfAbsent(destination, any -> new Slots());
            synchronized (slots) {
                if (slots.retired) {
                    continue;
                }
                if (slots.inFlight < perDestination) {
                    slots.inFlight++;
                    return new Now(new Held(destination, slots, nanoTime.getAsLong()));
                }
                if (slots.queued.size() >= queuedPerDestination || !placeInMemory()) {
                    return new NoRoom();
                }
                slots.queued.add(waiter);
                return new Queued();
            }
        }
    }

    private boolean placeInMemory() {
        if (queuedTotal.incrementAndGet() <= queuedInAll) {
            return true;
        }
        queuedTotal.decrementAndGet();
        return false;
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
            long now = nanoTime.getAsLong();
            SlotWaiter next;
            Held handedOn;
            synchronized (slots) {
                if (closed) {
                    return;
                }
                closed = true;
                slots.averageNanos = slots.averageNanos < 0 ? now - since : WEIGHT * (now - since) + (1 - WEIGHT) * slots.averageNanos;
                next = slots.queued.poll();
                if (next == null) {
                    slots.inFlight--;
                    slots.notify();
                    if (slots.inFlight == 0 && slots.waiting == 0 && destinations.size() > remembered) {
                        slots.retired = true;
                        destinations.remove(destination, slots);
                    }
                    return;
                }
                queuedTotal.decrementAndGet();
                handedOn = new Held(destination, slots, now); // the slot stays taken: it goes to the mail queued first
            }
            next.granted(handedOn);
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

    /** Mail queued in memory for a slot, by destination (destinations with none left out). */
    public Map<String, Integer> queuedInMemory() {
        Map<String, Integer> queued = new HashMap<>();
        destinations.forEach((destination, slots) -> {
            synchronized (slots) {
                if (!slots.queued.isEmpty()) {
                    queued.put(destination, slots.queued.size());
                }
            }
        });
        return Map.copyOf(queued);
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
