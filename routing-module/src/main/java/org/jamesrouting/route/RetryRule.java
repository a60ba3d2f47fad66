package org.jamesrouting.route;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jamesrouting.core.DurationText;

/**
 * A route's own retry rule (Exim's retry rules, Mailtraq's per-route retry): the delays between
 * attempts ({@code retry=5m,15m,1h}, the last one repeats) and how long its mail is tried before
 * it is given up on ({@code max-age=1d}), and delays by the kind of deferral
 * ({@code retry.connect=1m,5m retry.4.2.2=4h}, {@link ErrorRetries}). What a route leaves out comes
 * from the OutboundRouter mailet's {@code <retrySchedule>}, {@code <maxAge>} and {@code <retryOn>}.
 */
public record RetryRule(Optional<List<Duration>> delays, Optional<Duration> maxAge, ErrorRetries byError) {
    public static final RetryRule NONE = new RetryRule(Optional.empty(), Optional.empty());

    public RetryRule(Optional<List<Duration>> delays, Optional<Duration> maxAge) {
        this(delays, maxAge, ErrorRetries.NONE);
    }

    public RetryRule {
        delays = delays.map(List::copyOf);
        if (delays.isPresent() && (delays.get().isEmpty() || delays.get().stream().anyMatch(delay -> delay.isZero() || delay.isNegative()))) {
            throw new IllegalArgumentException("retry: give delays above zero, such as retry=5m,15m,1h");
        }
        if (maxAge.isPresent() && (maxAge.get().isZero() || maxAge.get().isNegative())) {
            throw new IllegalArgumentException("max-age: give a duration above zero, such as max-age=1d");
        }
    }

    /**
     * @param retry   the {@code retry=} text ({@code 5m,15m,1h}), when given
     * @param maxAge  the {@code max-age=} text ({@code 1d}), when given
     * @throws IllegalArgumentException naming the option and the problem
     */
    public static RetryRule parse(Optional<String> retry, Optional<String> maxAge) {
        return parse(retry, maxAge, Map.of());
    }

    /**
     * @param byError the {@code retry.<kind>=} texts by kind ({@code {"connect": "1m,5m"}})
     * @throws IllegalArgumentException naming the option and the problem
     */
    public static RetryRule parse(Optional<String> retry, Optional<String> maxAge, Map<String, String> byError) {
        Optional<List<Duration>> delays;
        try {
            delays = retry.map(DurationText::parseList);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("retry: " + e.getMessage() + " (write retry=5m,15m,1h)");
        }
        Optional<Duration> age;
        try {
            age = maxAge.map(DurationText::parse);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("max-age: " + e.getMessage());
        }
        return new RetryRule(delays, age, ErrorRetries.of(byError));
    }

    public boolean isEmpty() {
        return delays.isEmpty() && maxAge.isEmpty() && byError.isEmpty();
    }

    /** {@code 5m,15m,1h} as it is written in routes.conf, when the route sets delays. */
    public Optional<String> delaysText() {
        return delays.map(DurationText::formatList);
    }

    public Optional<String> maxAgeText() {
        return maxAge.map(DurationText::format);
    }

    /** "retry=5m,15m max-age=1d retry.connect=1m", or "" for no rule of its own. */
    public String describe() {
        return (delaysText().map(text -> "retry=" + text).orElse("") + maxAgeText().map(text -> " max-age=" + text).orElse("")
            + " " + byError.asOptions()).trim();
    }
}
