package org.jamesrouting.delivery;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many deliveries may talk to one destination at once (a route, the smart host, a domain's
 * MX), so that a slow or greylisting destination holds at most that many of the delivery
 * threads and mail for the others keeps flowing. A delivery that finds its destination full
 * does not wait on a thread: the mail goes back to the queue for a moment.
 */
public final class DestinationLimits {
    /** Held while delivering; closing it frees the slot. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    private final int perDestination;
    private final Map<String, Integer> inFlight = new ConcurrentHashMap<>();

    public DestinationLimits(int perDestination) {
        if (perDestination < 1) {
            throw new IllegalArgumentException("per-destination limit " + perDestination);
        }
        this.perDestination = perDestination;
    }

    /** A slot for the destination, or empty when it already has {@code perDestination} deliveries. */
    public Optional<Permit> tryAcquire(String destination) {
        boolean[] granted = new boolean[1];
        inFlight.compute(destination, (key, count) -> {
            int current = count == null ? 0 : count;
            if (current >= perDestination) {
                return current;
            }
            granted[0] = true;
            return current + 1;
        });
        if (!granted[0]) {
            return Optional.empty();
        }
        boolean[] closed = new boolean[1];
        return Optional.of(() -> {
            synchronized (closed) {
                if (closed[0]) {
                    return;
                }
                closed[0] = true;
            }
            inFlight.computeIfPresent(destination, (key, count) -> count <= 1 ? null : count - 1);
        });
    }

    public int inFlight(String destination) {
        return inFlight.getOrDefault(destination, 0);
    }

    public Map<String, Integer> snapshot() {
        return Map.copyOf(inFlight);
    }

    public int perDestination() {
        return perDestination;
    }

    /** The destination a plan talks to first: the route, the smart host or the MX of a domain. */
    public static String destinationOf(DeliveryPlan plan) {
        HopGroup first = plan.groups().get(0);
        return first.mxDomain().map(domain -> "mx:" + domain).orElse(first.label());
    }
}
