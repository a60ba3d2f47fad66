package org.jamesrouting.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import org.jamesrouting.route.Rate;

/**
 * Paces destinations that have a {@link Rate}: their messages go one every
 * {@link Rate#interval()} (a virtual schedule: each message is given the next free slot). A
 * message whose slot is near ({@link #HORIZON}) waits for it in memory, in the order slots were
 * given, at most {@link #PER_DESTINATION} per destination and {@link #TOTAL} in all, so a shaped
 * destination never takes the room of the others; any other waits in the durable queue and asks
 * again when it comes back. The mail waiting in memory stays unacknowledged in the queue: a
 * crash gives it back, nothing is lost.
 */
public final class RateShaper {
    /** The furthest slot a message waits for in memory. */
    public static final Duration HORIZON = Duration.ofSeconds(60);
    /** Messages of one destination waiting in memory, at most. */
    public static final int PER_DESTINATION = 64;
    /** Messages of all destinations waiting in memory, at most. */
    public static final int TOTAL = 256;
    /** Destinations remembered before the idle ones are forgotten. */
    static final int DESTINATIONS = 10_000;

    /** What a message for a shaped destination does. */
    public sealed interface Decision {
    }

    /** Go now. */
    public record Go() implements Decision {
    }

    /** Wait in memory for this slot, then go (and say {@link #arrived}). */
    public record WaitHere(Instant slot) implements Decision {
    }

    /** No slot near enough or no room in memory: wait in the queue about this long, then ask again. */
    public record WaitInQueue(Duration about) implements Decision {
    }

    private final Map<String, Instant> nextFree = new HashMap<>();
    private final Map<String, Integer> waiting = new HashMap<>();
    private int totalWaiting;

    /**
     * @param mayWaitHere the caller can wait in memory (not a first attempt on the spool's thread)
     */
    public synchronized Decision ask(String destination, Rate rate, Instant now, boolean mayWaitHere) {
        forgetIdle(now);
        Instant free = nextFree.getOrDefault(destination, now);
        if (!free.isAfter(now)) {
            nextFree.put(destination, now.plus(rate.interval()));
            return new Go();
        }
        Duration wait = Duration.between(now, free);
        int here = waiting.getOrDefault(destination, 0);
        if (mayWaitHere && wait.compareTo(HORIZON) <= 0 && here < PER_DESTINATION && totalWaiting < TOTAL) {
            nextFree.put(destination, free.plus(rate.interval()));
            waiting.put(destination, here + 1);
            totalWaiting++;
            return new WaitHere(free);
        }
        return new WaitInQueue(wait);
    }

    /** A message that waited in memory for {@code destination} has reached its slot. */
    public synchronized void arrived(String destination) {
        Integer here = waiting.get(destination);
        if (here == null) {
            return;
        }
        if (here <= 1) {
            waiting.remove(destination);
        } else {
            waiting.put(destination, here - 1);
        }
        totalWaiting--;
    }

    /** Messages waiting in memory, by destination. */
    public synchronized Map<String, Integer> waiting() {
        return Map.copyOf(waiting);
    }

    private void forgetIdle(Instant now) {
        if (nextFree.size() >= DESTINATIONS) {
            nextFree.entrySet().removeIf(entry -> !entry.getValue().isAfter(now) && !waiting.containsKey(entry.getKey()));
        }
    }
}
