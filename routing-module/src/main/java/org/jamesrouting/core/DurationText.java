package org.jamesrouting.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as administrators write them: {@code 30s}, {@code 5m}, {@code 1h}, {@code 5d}. */
public final class DurationText {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h|d)");

    private DurationText() {
    }

    public static Duration parse(String text) {
        Matcher matcher = DURATION.matcher(text == null ? "" : text.trim().toLowerCase(java.util.Locale.ROOT));
        if (!matcher.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration such as 30s, 5m, 1h or 5d");
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }

    /** As {@link #parse} reads it, in the largest whole unit: 90s as 90s, 3600s as 1h, 86400s as 1d. */
    public static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 86_400_000 == 0) {
            return millis / 86_400_000 + "d";
        }
        if (millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }

    /** As {@link #parseList} reads it: {@code 5m,15m,1h}. */
    public static String formatList(List<Duration> durations) {
        return String.join(",", durations.stream().map(DurationText::format).toList());
    }

    public static List<Duration> parseList(String text) {
        List<Duration> durations = new ArrayList<>();
        for (String part : (text == null ? "" : text).split(",")) {
            if (!part.isBlank()) {
                durations.add(parse(part));
            }
        }
        if (durations.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' lists no duration");
        }
        return durations;
    }
}
