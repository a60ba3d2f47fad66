package org.jamesrouting.schedule;

import org.jamesrouting.delivery.RecipientOutcome;
import org.jamesrouting.core.DurationText;
import org.jamesrouting.route.ErrorRetries;
import org.jamesrouting.route.RetryRule;
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
 * only delay it. Mail still not delivered {@code delayWarning} after its first attempt gets its
 * sender one "delayed" notice (off when empty). {@code byError}: other delays for some kinds of
 * deferral ({@link ErrorRetries}, the OutboundRouter's {@code <retryOn>}).
 */
public record RetrySchedule(List<Duration> delays, Duration maxAge, Duration greylistRetry, Optional<Duration> delayWarning,
                            ErrorRetries byError) {
    public static final int GREYLIST_SHORT_RETRIES = 3;
    private static final Pattern GREYLISTING = Pattern.compile(
        "(?i)gr[ae]y[- ]?list|come back (later|in)|try (again )?later|please retry (later|in)");

    public RetrySchedule {
        delays = List.copyOf(delays);
        delayWarning = delayWarning.filter(warning -> !warning.isZero());
        if (delays.isEmpty()) {
            throw new IllegalArgumentException("empty retry schedule");
        }
    }

    public RetrySchedule(List<Duration> delays, Duration maxAge) {
        this(delays, maxAge, Duration.ofMinutes(5));
    }

    public RetrySchedule(List<Duration> delays, Duration maxAge, Duration greylistRetry) {
        this(delays, maxAge, greylistRetry, Optional.empty());
    }

    public RetrySchedule(List<Duration> delays, Duration maxAge, Duration greylistRetry, Optional<Duration> delayWarning) {
        this(delays, maxAge, greylistRetry, delayWarning, ErrorRetries.NONE);
    }

    /**
     * This schedule with a route's own rule where the route gives one: its delays, maximum age and
     * delays by kind of deferral. A route with its own {@code retry=} takes none of the mailet's
     * {@code <retryOn>} (its delays are the operator's word for that route); one without keeps
     * them, its own {@code retry.<kind>=} winning.
     */
    public RetrySchedule with(RetryRule rule) {
        if (rule.isEmpty()) {
            return this;
        }
        ErrorRetries errors = rule.delays().isPresent() ? rule.byError() : rule.byError().over(byError);
        return new RetrySchedule(rule.delays().orElse(delays), rule.maxAge().orElse(maxAge), greylistRetry, delayWarning, errors);
    }

    /** The schedule a deferral follows: the delays of its kind when there are some ({@link ErrorRetries#forDeferral}), else these. */
    public RetrySchedule forDeferral(String status, boolean remoteReply) {
        return byError.forDeferral(status, remoteReply)
            .map(found -> new RetrySchedule(found.getValue(), maxAge, greylistRetry, delayWarning, ErrorRetries.NONE))
            .orElse(this);
    }

    /**
     * "retry 5m,15m,1h (the last repeats), after connect 1m,5m, given up after 5d, delay notice
     * after 4h", as explain shows it.
     */
    public String describe() {
        return "retry " + DurationText.formatList(delays) + (delays.size() > 1 ? " (the last repeats)" : " (repeated)")
            + (byError.isEmpty() ? "" : "; by kind of deferral: " + byError.describe())
            + ", given up after " + DurationText.format(maxAge)
            + delayWarning.map(warning -> ", delay notice after " + DurationText.format(warning)).orElse(", no delay notice");
    }

    /** Whether mail first tried at {@code firstAttempt} and still queued is due its "delayed" notice now. */
    public boolean delayNoticeDue(Instant firstAttempt, Instant now) {
        return delayWarning.filter(warning -> !now.isBefore(firstAttempt.plus(warning))).isPresent();
    }

    /** Until when mail first tried at {@code firstAttempt} is retried (RFC 3464 Will-Retry-Until). */
    public Instant retriedUntil(Instant firstAttempt) {
        return firstAttempt.plus(maxAge);
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
