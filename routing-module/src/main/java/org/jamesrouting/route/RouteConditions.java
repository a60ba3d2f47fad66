package org.jamesrouting.route;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

import com.google.common.collect.ImmutableList;

/**
 * What a route requires besides a matching recipient, all of it (AND): the envelope sender
 * ({@code sender=*@sales.example.com}, {@code sender=<>} for the null sender), the SMTP AUTH
 * user ({@code auth-user=bob@example.com}, {@code auth-user=*} any authenticated client), and
 * headers ({@code header:X-Route=bulk}: some value equals "bulk"; {@code header:Subject~*invoice*}:
 * some value matches the wildcard). Patterns take {@code *}, {@code ?} and {@code %} (one digit);
 * everything ignores case.
 */
public final class RouteConditions {
    public static final RouteConditions NONE = new RouteConditions(Optional.empty(), Optional.empty(), List.of());
    private static final Pattern HEADER_NAME = Pattern.compile("[!-9;-~]+");

    /** A header value is matched (and shown) up to this many characters: a 200 KB Subject costs what 16 KB cost. */
    public static final int HEADER_VALUE_LIMIT = 16_384;

    static String capped(String value) {
        return value.length() <= HEADER_VALUE_LIMIT ? value : value.substring(0, HEADER_VALUE_LIMIT);
    }

    /** One header condition: {@code Name=value} (equals) or {@code Name~pattern} (wildcard). */
    public record Header(String name, boolean wildcard, Wildcard value) {
        public Header {
            Objects.requireNonNull(name);
            Objects.requireNonNull(value);
        }

        /**
         * @throws IllegalArgumentException unless {@code Name=value} or {@code Name~pattern}
         */
        public static Header parse(String text) {
            int equals = text == null ? -1 : text.indexOf('=');
            int tilde = text == null ? -1 : text.indexOf('~');
            int at = equals < 0 ? tilde : tilde < 0 ? equals : Math.min(equals, tilde);
            if (at <= 0) {
                throw new IllegalArgumentException("header condition '" + text + "': expected Name=value or Name~pattern");
            }
            String name = text.substring(0, at).trim();
            String value = text.substring(at + 1).trim();
            if (!HEADER_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("header condition '" + text + "': '" + name + "' is not a header name");
            }
            if (value.isEmpty()) {
                throw new IllegalArgumentException("header condition '" + text + "': empty value");
            }
            boolean wildcard = text.charAt(at) == '~';
            return new Header(name, wildcard, wildcard ? Wildcard.parse(value) : Wildcard.literal(value));
        }

        boolean matches(MessageContext context) {
            return context.headers().apply(name).stream().anyMatch(candidate -> value.matches(capped(candidate.trim())));
        }

        public String asString() {
            return name + (wildcard ? "~" : "=") + value.asString();
        }
    }

    private final Optional<Wildcard> sender;
    private final Optional<Wildcard> authUser;
    private final ImmutableList<Header> headers;

    private RouteConditions(Optional<Wildcard> sender, Optional<Wildcard> authUser, List<Header> headers) {
        this.sender = sender;
        this.authUser = authUser;
        this.headers = ImmutableList.copyOf(headers);
    }

    /**
     * @param sender a pattern for the envelope sender, {@code <>} for the null sender
     * @param authUser a pattern for the SMTP AUTH user
     * @param headers {@code Name=value} or {@code Name~pattern} each
     * @throws IllegalArgumentException naming the bad condition
     */
    public static RouteConditions of(Optional<String> sender, Optional<String> authUser, List<String> headers) {
        if (sender.isEmpty() && authUser.isEmpty() && (headers == null || headers.isEmpty())) {
            return NONE;
        }
        List<Header> parsed = new ArrayList<>();
        for (String header : headers == null ? List.<String>of() : headers) {
            parsed.add(Header.parse(header));
        }
        return new RouteConditions(sender.map(text -> pattern("sender", text.trim().equals("<>") ? "" : text.trim(), true)),
            authUser.map(text -> pattern("auth-user", text.trim(), false)), parsed);
    }

    private static Wildcard pattern(String what, String text, boolean emptyAllowed) {
        if (text.isEmpty()) {
            if (emptyAllowed) {
                return Wildcard.literal("");
            }
            throw new IllegalArgumentException(what + ": empty pattern");
        }
        if (text.chars().anyMatch(c -> c <= ' ')) {
            throw new IllegalArgumentException(what + " '" + text + "': a space in the pattern");
        }
        return Wildcard.parse(text.toLowerCase(Locale.ROOT));
    }

    public boolean isEmpty() {
        return this == NONE || sender.isEmpty() && authUser.isEmpty() && headers.isEmpty();
    }

    public boolean matches(MessageContext context) {
        return failure(context).isEmpty();
    }

    /** Why the context does not meet the conditions, in words; empty if it does. */
    public Optional<String> failure(MessageContext context) {
        if (sender.isPresent()) {
            if (context.sender().isEmpty()) {
                return Optional.of("the sender is not known (give one) and the route needs sender " + senderText());
            }
            if (!sender.get().matches(context.sender().get().toLowerCase(Locale.ROOT))) {
                return Optional.of("sender <" + context.sender().get() + "> does not match " + senderText());
            }
        }
        if (authUser.isPresent()) {
            if (context.authUser().isEmpty()) {
                return Optional.of("the client did not authenticate and the route needs auth-user " + authUser.get().asString());
            }
            if (!authUser.get().matches(context.authUser().get().toLowerCase(Locale.ROOT))) {
                return Optional.of("auth user " + context.authUser().get() + " does not match " + authUser.get().asString());
            }
        }
        for (Header header : headers) {
            if (!header.matches(context)) {
                List<String> values = context.headers().apply(header.name());
                return Optional.of("header " + header.asString() + " does not hold ("
                    + (values.isEmpty() ? "no " + header.name() + " header"
                        : header.name() + ": " + String.join(" | ", values.stream().map(value -> capped(value.trim())).toList())) + ")");
            }
        }
        return Optional.empty();
    }

    /** The conditions in words, for explain: "sender *@sales.test, header X-Route=bulk". */
    public String describe() {
        List<String> parts = new ArrayList<>();
        sender.ifPresent(any -> parts.add("sender " + senderText()));
        authUser.ifPresent(pattern -> parts.add("auth-user " + pattern.asString()));
        headers.forEach(header -> parts.add("header " + header.asString()));
        return String.join(", ", parts);
    }

    private String senderText() {
        return sender.map(pattern -> pattern.asString().isEmpty() ? "<>" : pattern.asString()).orElse("");
    }

    public Optional<String> sender() {
        return sender.map(pattern -> pattern.asString().isEmpty() ? "<>" : pattern.asString());
    }

    public Optional<String> authUser() {
        return authUser.map(Wildcard::asString);
    }

    public List<String> headers() {
        return headers.stream().map(Header::asString).toList();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RouteConditions other && sender.equals(other.sender) && authUser.equals(other.authUser)
            && headers.equals(other.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sender, authUser, headers);
    }

    @Override
    public String toString() {
        return describe();
    }
}
