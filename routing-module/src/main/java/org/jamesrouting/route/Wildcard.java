package org.jamesrouting.route;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A text pattern of route conditions, as in Mailtraq's router: {@code *} any run of characters
 * (also none), {@code ?} exactly one character, {@code %} exactly one digit; every other
 * character stands for itself, ignoring case. The whole text must match:
 * {@code *@sales.example.com}, {@code order%%%%@shop.test}, {@code *invoice*}.
 * <p>
 * Matching never backtracks: the pattern is cut at each {@code *} into segments, the first one
 * must match at the start, the last one at the end, and each one between is taken at its
 * leftmost place (which is always right for such patterns). The cost is at most the text's
 * length times the pattern's, whatever the text (a regular expression {@code .*a.*b.*} takes
 * time that grows with a power of the text's length on a text that almost matches).
 */
public final class Wildcard {
    private final String text;
    private final boolean literal;
    /** The pattern between its stars; {@code anchoredStart}/{@code anchoredEnd}: no star before the first / after the last. */
    private final List<String> segments;
    private final boolean anchoredStart;
    private final boolean anchoredEnd;

    private Wildcard(String text, boolean literal) {
        this.text = text;
        this.literal = literal || text.chars().noneMatch(Wildcard::isWildcard);
        List<String> parts = new ArrayList<>();
        for (String part : text.split("\\*", -1)) {
            parts.add(part);
        }
        this.anchoredStart = !text.startsWith("*");
        this.anchoredEnd = !text.endsWith("*");
        this.segments = parts.stream().filter(part -> !part.isEmpty()).toList();
    }

    /** @throws IllegalArgumentException for an empty pattern */
    public static Wildcard parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty pattern");
        }
        return new Wildcard(text, false);
    }

    /** The text itself, its * ? % included: equal ignoring case. */
    public static Wildcard literal(String text) {
        return new Wildcard(text, true);
    }

    static boolean isWildcard(int c) {
        return c == '*' || c == '?' || c == '%';
    }

    /** Whether the text has any of {@code * ? %}. */
    public static boolean hasWildcard(String text) {
        return text.chars().anyMatch(Wildcard::isWildcard);
    }

    public boolean matches(String candidate) {
        if (literal) {
            return text.equalsIgnoreCase(candidate);
        }
        if (segments.isEmpty()) {
            // only stars: anything
            return true;
        }
        int from = 0;
        int last = segments.size() - 1;
        for (int i = 0; i <= last; i++) {
            String segment = segments.get(i);
            if (i == 0 && anchoredStart) {
                if (!segmentAt(segment, candidate, 0)) {
                    return false;
                }
                from = segment.length();
                if (last == 0 && anchoredEnd) {
                    return from == candidate.length();
                }
                continue;
            }
            if (i == last && anchoredEnd) {
                int start = candidate.length() - segment.length();
                return start >= from && segmentAt(segment, candidate, start);
            }
            int found = find(segment, candidate, from);
            if (found < 0) {
                return false;
            }
            from = found + segment.length();
        }
        return !anchoredEnd || from == candidate.length();
    }

    /** The leftmost place at or after {@code from} where the segment matches, or -1. */
    private static int find(String segment, String candidate, int from) {
        for (int start = from; start + segment.length() <= candidate.length(); start++) {
            if (segmentAt(segment, candidate, start)) {
                return start;
            }
        }
        return -1;
    }

    private static boolean segmentAt(String segment, String candidate, int start) {
        if (start < 0 || start + segment.length() > candidate.length()) {
            return false;
        }
        for (int i = 0; i < segment.length(); i++) {
            char wanted = segment.charAt(i);
            char got = candidate.charAt(start + i);
            boolean ok = switch (wanted) {
                case '?' -> true;
                case '%' -> got >= '0' && got <= '9';
                default -> sameIgnoringCase(wanted, got);
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameIgnoringCase(char a, char b) {
        if (a == b) {
            return true;
        }
        char upperA = Character.toUpperCase(a);
        char upperB = Character.toUpperCase(b);
        return upperA == upperB || Character.toLowerCase(upperA) == Character.toLowerCase(upperB);
    }

    public String asString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Wildcard other && text.equals(other.text) && literal == other.literal;
    }

    @Override
    public int hashCode() {
        return Objects.hash(text, literal);
    }

    @Override
    public String toString() {
        return text;
    }
}
