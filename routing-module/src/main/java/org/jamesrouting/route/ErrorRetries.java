package org.jamesrouting.route;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.jamesrouting.core.DurationText;

/**
 * Retry delays by the kind of deferral, as Exim's retry rules by error: a relay that refuses
 * connections is worth trying again soon, a full mailbox ({@code 4.2.2}) hours later. Each kind
 * is one of
 * <ul>
 * <li>{@code connect}: no SMTP reply — the connection was refused, timed out or lost;</li>
 * <li>{@code dns}: the mail host's name could not be resolved (4.4.3, 4.4.4);</li>
 * <li>{@code tls}: we did not go on for want of the TLS the hop requires (4.7.x of our own: the
 * handshake or certificate failed, DANE or MTA-STS refused the host, credentials not sent);</li>
 * <li>{@code reply}: the server answered 4xx;</li>
 * <li>an enhanced status code or its start, {@code 4.2.2}, {@code 4.7}: a deferral whose
 * status is that code (the server's, else ours).</li>
 * </ul>
 * A deferral takes the delays of the longest status code that matches it, else those of its
 * kind; none: the schedule's plain delays.
 */
public record ErrorRetries(Map<String, List<Duration>> delays) {
    public static final ErrorRetries NONE = new ErrorRetries(Map.of());
    /** The kinds, in the order explain lists them. */
    public static final List<String> KINDS = List.of("connect", "dns", "tls", "reply");

    public ErrorRetries {
        Map<String, List<Duration>> sorted = new TreeMap<>();
        delays.forEach((kind, list) -> {
            if (list.isEmpty() || list.stream().anyMatch(delay -> delay.isZero() || delay.isNegative())) {
                throw new IllegalArgumentException("retry." + kind + ": give delays above zero, such as retry." + kind + "=5m,30m");
            }
            sorted.put(kind(kind), List.copyOf(list));
        });
        delays = Collections.unmodifiableMap(sorted);
    }

    /**
     * A kind as written: {@code connect}, {@code dns}, {@code tls}, {@code reply}, or a status code
     * 4.x.y or its start (4.x).
     *
     * @throws IllegalArgumentException not a kind
     */
    public static String kind(String text) {
        String lower = text.trim().toLowerCase(Locale.ROOT);
        if (KINDS.contains(lower) || lower.matches("4\\.[0-9]{1,3}(\\.[0-9]{1,3})?")) {
            return lower;
        }
        throw new IllegalArgumentException("'" + text.trim() + "' is not a kind of deferral: give connect, dns, tls, reply, "
            + "or a status code such as 4.2.2 or 4.7");
    }

    /**
     * The OutboundRouter's {@code <retryOn>}: {@code connect 1m,5m,15m; 4.2.2 4h} (entries
     * separated by {@code ;}).
     *
     * @throws IllegalArgumentException naming the entry and the problem
     */
    public static ErrorRetries parse(String text) {
        Map<String, String> entries = new TreeMap<>();
        for (String entry : (text == null ? "" : text).split(";")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            String[] parts = trimmed.split("\\s+", 2);
            if (parts.length < 2) {
                throw new IllegalArgumentException("'" + trimmed + "': write a kind of deferral and its delays, such as 'connect 1m,5m'");
            }
            try {
                if (entries.put(kind(parts[0]), parts[1]) != null) {
                    throw new IllegalArgumentException(kind(parts[0]) + " is given twice");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + trimmed + "': " + e.getMessage());
            }
        }
        return of(entries);
    }

    /**
     * @param texts delays by kind as written, {@code {"connect": "1m,5m"}}
     * @throws IllegalArgumentException naming the kind and the problem
     */
    public static ErrorRetries of(Map<String, String> texts) {
        Map<String, List<Duration>> delays = new TreeMap<>();
        texts.forEach((kind, text) -> {
            String normalized = kind(kind);
            try {
                delays.put(normalized, DurationText.parseList(text.replace(" ", "")));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("retry." + normalized + ": " + e.getMessage());
            }
        });
        return new ErrorRetries(delays);
    }

    public boolean isEmpty() {
        return delays.isEmpty();
    }

    /** These delays, and {@code base}'s for the kinds these leave out. */
    public ErrorRetries over(ErrorRetries base) {
        Map<String, List<Duration>> merged = new TreeMap<>(base.delays);
        merged.putAll(delays);
        return new ErrorRetries(merged);
    }

    /** The kind of a deferral, from its status and whether the server answered it. */
    public static String kindOf(String status, boolean remoteReply) {
        if (remoteReply) {
            return "reply";
        }
        if (status.startsWith("4.7.")) {
            return "tls";
        }
        if (status.equals("4.4.3") || status.equals("4.4.4")) {
            return "dns";
        }
        return "connect";
    }

    /** The delays for a deferral, and the kind that gave them: the longest matching status code, else its kind. */
    public Optional<Map.Entry<String, List<Duration>>> forDeferral(String status, boolean remoteReply) {
        Map.Entry<String, List<Duration>> best = null;
        for (Map.Entry<String, List<Duration>> entry : delays.entrySet()) {
            String kind = entry.getKey();
            boolean code = kind.startsWith("4.");
            if (code && (status.equals(kind) || status.startsWith(kind + ".")) && (best == null || kind.length() > best.getKey().length())) {
                best = entry;
            }
        }
        if (best != null) {
            return Optional.of(best);
        }
        String kind = kindOf(status, remoteReply);
        return Optional.ofNullable(delays.get(kind)).map(list -> Map.entry(kind, list));
    }

    /** {@code {"connect": "1m,5m"}}, as webadmin's JSON writes it. */
    public Map<String, String> texts() {
        Map<String, String> texts = new TreeMap<>();
        delays.forEach((kind, list) -> texts.put(kind, DurationText.formatList(list)));
        return texts;
    }

    /** {@code retry.connect=1m,5m retry.4.2.2=4h}, as routes.conf writes it. */
    public String asOptions() {
        List<String> options = new ArrayList<>();
        texts().forEach((kind, text) -> options.add("retry." + kind + "=" + text));
        return String.join(" ", options);
    }

    /** {@code connect 1m,5m; 4.2.2 4h}, as {@code <retryOn>} writes it. */
    public String describe() {
        List<String> entries = new ArrayList<>();
        texts().forEach((kind, text) -> entries.add(kind + " " + text));
        return String.join("; ", entries);
    }
}
