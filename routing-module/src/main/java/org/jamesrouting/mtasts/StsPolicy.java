package org.jamesrouting.mtasts;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import org.jamesrouting.core.DomainNames;

/**
 * An MTA-STS policy (RFC 8461 §3.2), as served at
 * {@code https://mta-sts.<domain>/.well-known/mta-sts.txt}:
 * <pre>
 * version: STSv1
 * mode: enforce
 * mx: mail.example.com
 * mx: *.example.net
 * max_age: 604800
 * </pre>
 */
public record StsPolicy(Mode mode, List<String> mx, Duration maxAge) {
    /** RFC 8461 §3.2: max_age is at most 31557600 seconds (about a year). */
    public static final long MAX_AGE_LIMIT = 31_557_600;

    public enum Mode {
        /** Deliver only to the listed MX hosts, over TLS with a certificate that verifies for the MX name; else defer. */
        ENFORCE("enforce"),
        /** Deliver as usual; log and count what enforce would have refused. */
        TESTING("testing"),
        /** The domain has withdrawn its policy. */
        NONE("none");

        private final String word;

        Mode(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }

        static Mode parse(String text) {
            for (Mode mode : values()) {
                if (mode.word.equals(text)) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("mode '" + text + "' is not enforce, testing or none");
        }
    }

    public StsPolicy {
        Objects.requireNonNull(mode);
        Objects.requireNonNull(maxAge);
        mx = List.copyOf(mx);
    }

    /**
     * @throws IllegalArgumentException what is wrong with the policy text
     */
    public static StsPolicy parse(String text) {
        String version = null;
        Mode mode = null;
        Long maxAge = null;
        List<String> mx = new ArrayList<>();
        for (String line : text.split("\r?\n")) {
            if (line.isBlank()) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("line '" + shorten(line) + "' is not 'key: value'");
            }
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            switch (key) {
                case "version" -> version = value;
                case "mode" -> mode = Mode.parse(value);
                case "max_age" -> {
                    if (!value.matches("[0-9]{1,10}")) {
                        throw new IllegalArgumentException("max_age '" + shorten(value) + "' is not a number of seconds");
                    }
                    maxAge = Math.min(Long.parseLong(value), MAX_AGE_LIMIT);
                }
                case "mx" -> mx.add(mxPattern(value));
                default -> {
                    // extensions are ignored (RFC 8461 §3.2)
                }
            }
        }
        if (!"STSv1".equals(version)) {
            throw new IllegalArgumentException(version == null ? "no 'version: STSv1'" : "version '" + shorten(version) + "' is not STSv1");
        }
        if (mode == null) {
            throw new IllegalArgumentException("no 'mode'");
        }
        if (maxAge == null) {
            throw new IllegalArgumentException("no 'max_age'");
        }
        if (mx.isEmpty() && mode != Mode.NONE) {
            throw new IllegalArgumentException("no 'mx' (needed in mode " + mode.word() + ")");
        }
        return new StsPolicy(mode, mx, Duration.ofSeconds(maxAge));
    }

    private static String mxPattern(String value) {
        String pattern = value.toLowerCase(Locale.ROOT);
        try {
            if (pattern.startsWith("*.")) {
                return "*." + DomainNames.normalize(pattern.substring(2)).asString();
            }
            return DomainNames.normalize(pattern).asString();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("mx '" + shorten(value) + "' is not a host name or *.domain");
        }
    }

    /**
     * Whether the MX host {@code host} is one of the policy's: the same name, or for
     * {@code *.example.com} a name with exactly one more label (RFC 8461 §4.1).
     */
    public boolean allows(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        for (String pattern : mx) {
            if (pattern.startsWith("*.")) {
                int dot = name.indexOf('.');
                if (dot > 0 && name.substring(dot + 1).equals(pattern.substring(2))) {
                    return true;
                }
            } else if (pattern.equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** As operators read it: {@code enforce, mx: mail.example.com *.example.net, max_age 604800}. */
    public String describe() {
        return mode.word() + (mx.isEmpty() ? "" : ", mx: " + String.join(" ", mx)) + ", max_age " + maxAge.toSeconds();
    }

    private static String shorten(String text) {
        return text.length() > 80 ? text.substring(0, 80) + "..." : text;
    }
}
