package org.jamesrouting.schedule;

import java.time.Duration;
import java.util.Optional;

/**
 * What becomes of a mail whose processing by the router throws (a bug, a broken message, a
 * repository that cannot be written): it is tried again later, the wait doubling from
 * {@code firstRetry} (at most an hour), and after {@code parkAfter} failures it is parked in
 * a mail repository for the operator, with the error: never left to the broker's redelivery and
 * dead-letter queue, never dropped.
 */
public record PoisonPolicy(int parkAfter, Duration firstRetry) {
    static final Duration LONGEST_WAIT = Duration.ofHours(1);

    public PoisonPolicy {
        if (parkAfter < 1) {
            throw new IllegalArgumentException("parkAfter should be 1 or more");
        }
    }

    /**
     * @param failures how many times the mail's processing has failed, this one included
     * @return how long to wait before the next try; empty: park it now
     */
    public Optional<Duration> retryAfter(int failures) {
        if (failures >= parkAfter) {
            return Optional.empty();
        }
        Duration wait = firstRetry;
        for (int i = 1; i < failures && wait.compareTo(LONGEST_WAIT) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return Optional.of(wait.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : wait);
    }
}
