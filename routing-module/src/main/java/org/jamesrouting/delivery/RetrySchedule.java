package org.jamesrouting.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * When to try again: the n-th retry waits the n-th delay of the schedule (the last one repeats),
 * until the mail is older than {@code maxAge}; then it is given up on (a DSN).
 */
public record RetrySchedule(List<Duration> delays, Duration maxAge) {
    public RetrySchedule {
        delays = List.copyOf(delays);
        if (delays.isEmpty()) {
            throw new IllegalArgumentException("empty retry schedule");
        }
    }

    /** The delay before attempt number {@code attemptsSoFar + 1}, or empty when the mail has waited long enough. */
    public Optional<Duration> nextDelay(int attemptsSoFar, Instant firstAttempt, Instant now) {
        Duration delay = delays.get(Math.min(Math.max(attemptsSoFar - 1, 0), delays.size() - 1));
        if (now.plus(delay).isAfter(firstAttempt.plus(maxAge))) {
            return Optional.empty();
        }
        return Optional.of(delay);
    }
}
