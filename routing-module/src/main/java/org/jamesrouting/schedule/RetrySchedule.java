package org.jamesrouting.schedule;

import org.jamesrouting.delivery.RecipientOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * When to try again: the n-th retry waits the n-th delay of the schedule (the last one repeats),
 * until the mail is older than {@code maxAge}; then it is given up on (a DSN). A deferral that
 * reads as greylisting ("451 4.7.1 Greylisted, please try again later") is retried after
 * {@code greylistRetry} instead, for the first {@link #GREYLIST_SHORT_RETRIES} attempts: a
 * greylisting server takes the mail on a retry a few minutes later, the long schedule would
 * only delay it.
 */
public record RetrySchedule(List<Duration> delays, Duration maxAge, Duration greylistRetry) {
    public static final int GREYLIST_SHORT_RETRIES = 3;
    private static final Pattern GREYLISTING = Pattern.compile(
        "(?i)gr[ae]y[- ]?list|come back (later|in)|try (again )?later|please retry (later|in)");

    public RetrySchedule {
        delays = List.copyOf(delays);
        if (delays.isEmpty()) {
            throw new IllegalArgumentException("empty retry schedule");
        }
    }

    public RetrySchedule(List<Duration> delays, Duration maxAge) {
        this(delays, maxAge, Duration.ofMinutes(5));
    }

    /** The delay before attempt number {@code attemptsSoFar + 1}, or empty when the mail has waited long enough. */
    public Optional<Duration> nextDelay(int attemptsSoFar, Instant firstAttempt, Instant now) {
        return nextDelay(attemptsSoFar, firstAttempt, now, false);
    }

    /** @param greylisted the remote server's 4xx reads as greylisting ({@link #looksLikeGreylisting}) */
    public Optional<Duration> nextDelay(int attemptsSoFar, Instant firstAttempt, Instant now, boolean greylisted) {
        Duration delay = delays.get(Math.min(Math.max(attemptsSoFar - 1, 0), delays.size() - 1));
        if (greylisted && attemptsSoFar <= GREYLIST_SHORT_RETRIES && greylistRetry.compareTo(delay) < 0) {
            delay = greylistRetry;
        }
        if (now.plus(delay).isAfter(firstAttempt.plus(maxAge))) {
            return Optional.empty();
        }
        return Optional.of(delay);
    }

    /** A temporary failure with the remote server's reply saying greylisted / try again later. */
    public static boolean looksLikeGreylisting(RecipientOutcome outcome) {
        return outcome.kind() == RecipientOutcome.Kind.TEMPORARY && outcome.remoteReply() && outcome.status().startsWith("4")
            && GREYLISTING.matcher(outcome.diagnostic()).find();
    }
}
