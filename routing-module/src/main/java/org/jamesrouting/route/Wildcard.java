package org.jamesrouting.route;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A text pattern of route conditions, as in Mailtraq's router: {@code *} any run of characters
 * (also none), {@code ?} exactly one character, {@code %} exactly one digit; every other
 * character stands for itself, ignoring case. The whole text must match:
 * {@code *@sales.example.com}, {@code order%%%%@shop.test}, {@code *invoice*}.
 */
public final class Wildcard {
    private final String text;
    private final Pattern regex;
    private final boolean literal;

    private Wildcard(String text, boolean literal) {
        this.text = text;
        this.literal = literal || text.chars().noneMatch(Wildcard::isWildcard);
        StringBuilder regex = new StringBuilder();
        StringBuilder plain = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isWildcard(c)) {
                if (plain.length() > 0) {
                    regex.append(Pattern.quote(plain.toString()));
                    plain.setLength(0);
                }
                regex.append(switch (c) {
                    case '*' -> ".*";
                    case '?' -> ".";
                    default -> "[0-9]";
                });
            } else {
                plain.append(c);
            }
        }
        if (plain.length() > 0) {
            regex.append(Pattern.quote(plain.toString()));
        }
        this.regex = Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL);
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
        return regex.matcher(candidate).matches();
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
