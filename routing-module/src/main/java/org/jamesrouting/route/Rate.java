package org.jamesrouting.route;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How many messages a destination takes per unit of time ({@code rate=60/m}): messages go to it
 * evenly spaced, one every {@link #interval()} (Postfix's {@code *_destination_rate_delay}).
 */
public record Rate(int messages, Duration per) {
    private static final Pattern TEXT = Pattern.compile("(\\d{1,6})\\s*/\\s*(s|m|h|d)");

    public Rate {
        if (messages < 1 || per.isZero() || per.isNegative()) {
            throw new IllegalArgumentException("rate: at least one message per unit of time");
        }
    }

    /** {@code 60/m}, {@code 5/s}, {@code 1000/h}, {@code 20000/d}. */
    public static Rate parse(String text) {
        Matcher matcher = TEXT.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
        if (!matcher.matches() || Integer.parseInt(matcher.group(1)) < 1) {
            throw new IllegalArgumentException("rate: '" + text + "' is not a rate such as 60/m, 5/s, 1000/h or 20000/d");
        }
        Duration per = switch (matcher.group(2)) {
            case "s" -> Duration.ofSeconds(1);
            case "m" -> Duration.ofMinutes(1);
            case "h" -> Duration.ofHours(1);
            default -> Duration.ofDays(1);
        };
        return new Rate(Integer.parseInt(matcher.group(1)), per);
    }

    /** The time between two messages. */
    public Duration interval() {
        return per.dividedBy(messages);
    }

    /** As written: {@code 60/m}. */
    public String asString() {
        String unit = per.equals(Duration.ofSeconds(1)) ? "s" : per.equals(Duration.ofMinutes(1)) ? "m"
            : per.equals(Duration.ofHours(1)) ? "h" : per.equals(Duration.ofDays(1)) ? "d" : per.toMillis() + "ms";
        return messages + "/" + unit;
    }
}
