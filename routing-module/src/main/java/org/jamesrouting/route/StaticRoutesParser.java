package org.jamesrouting.route;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;


/**
 * Reads the static routing table ({@code conf/routes.conf}): one route per line, in order,
 * first match wins.
 * <pre>
 * # pattern        mail hosts, tried in order          options
 * *.example.com    mx1.example.com:2525,mx2.example.com tls=verify
 * partner.test     [2001:db8::1]:465                   tls=implicit auth=relay password-env=PARTNER_PASS
 * boss@example.org 192.0.2.10:587                      auth=me password-file=/etc/james/me.pass comment="boss's mail"
 * </pre>
 * Options: {@code tls=none|may|encrypt|verify|secure|implicit|implicit-encrypt|implicit-secure}
 * (default may; see {@link TlsMode}), {@code tls-match=<names>} for secure,
 * {@code auth=<user>} with one of {@code password=}, {@code password-env=<variable>},
 * {@code password-file=<path>}; {@code enabled=true|false}; {@code id=<name>} (default
 * {@code static-<n>}); {@code comment="..."}. {@code #} starts a comment outside quotes.
 * Conditions, all required ({@link RouteConditions}): {@code sender=<pattern>} ({@code <>} for
 * the null sender), {@code auth-user=<pattern>}, and any number of
 * {@code header:<Name>=<value>} / {@code header:<Name>~<pattern>} (quote values with spaces:
 * {@code header:Subject~"*big invoice*"}). The route's own retry rule ({@link RetryRule}):
 * {@code retry=5m,15m,1h} and {@code max-age=1d}; its pace ({@link Rate}): {@code rate=60/m}.
 */
public final class StaticRoutesParser {
    /** Where passwords named by password-env and password-file come from. */
    public interface SecretSource {
        Optional<String> environment(String variable);

        /** @throws java.io.IOException when the file cannot be read */
        String file(String path) throws java.io.IOException;

        SecretSource SYSTEM = new SecretSource() {
            @Override
            public Optional<String> environment(String variable) {
                return Optional.ofNullable(System.getenv(variable));
            }

            @Override
            public String file(String path) throws java.io.IOException {
                return java.nio.file.Files.readString(java.nio.file.Path.of(path));
            }
        };
    }

    private static final Set<String> OPTIONS = Set.of("tls", "tls-match", "auth", "password", "password-env", "password-file",
        "enabled", "id", "comment", "sender", "auth-user", "header:<name>", "retry", "retry.<kind>", "max-age", "rate", "bind", "helo", "order", "verify",
        "recipients-per-message", "messages-per-connection");

    private final SecretSource secrets;

    public StaticRoutesParser(SecretSource secrets) {
        this.secrets = secrets;
    }

    /**
     * @param fileName how errors name the file
     * @throws RouteTableException "{fileName} line {n}: {problem}"
     */
    public List<Route> parse(String fileName, String content) {
        List<Route> routes = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        String[] lines = content.split("\r?\n", -1);
        for (int index = 0; index < lines.length; index++) {
            String where = fileName + " line " + (index + 1);
            List<String> tokens;
            try {
                tokens = tokenize(lines[index]);
            } catch (IllegalArgumentException e) {
                throw new RouteTableException(where + ": " + e.getMessage());
            }
            if (tokens.isEmpty()) {
                continue;
            }
            Route route = parseRoute(tokens, routes.size() + 1, where);
            if (!ids.add(route.id())) {
                throw new RouteTableException(where + ": route id '" + route.id() + "' is used twice");
            }
            routes.add(route);
        }
        return routes;
    }

    private Route parseRoute(List<String> tokens, int ordinal, String where) {
        if (tokens.size() < 2) {
            throw new RouteTableException(where + ": expected 'pattern mail-hosts [options]', got only '" + tokens.get(0) + "'");
        }
        Route.Builder route = Route.builder().source(Route.Source.STATIC).id("static-" + ordinal);
        try {
            route.pattern(AddressPattern.parse(tokens.get(0)));
        } catch (IllegalArgumentException e) {
            throw new RouteTableException(where + ": bad pattern: " + e.getMessage());
        }
        int next = 1;
        StringBuilder hostList = new StringBuilder(tokens.get(next));
        while (hostList.toString().endsWith(",") && next + 1 < tokens.size()) {
            hostList.append(tokens.get(++next));
        }
        String hopText = hostList.toString();
        Optional<NextHop> hopKind = parseWith(where, () -> NextHop.kindOf(hopText));
        NextHop nextHop = hopKind.isPresent() ? hopKind.get() : parseWith(where, () -> NextHop.parseHosts(hopText));

        Optional<String> user = Optional.empty();
        Optional<String> password = Optional.empty();
        Set<String> seen = new HashSet<>();
        Optional<String> sender = Optional.empty();
        Optional<String> authUser = Optional.empty();
        List<String> headers = new ArrayList<>();
        TlsMode tls = Route.DEFAULT_TLS;
        Optional<String> tlsMatch = Optional.empty();
        Optional<String> retry = Optional.empty();
        Optional<String> maxAge = Optional.empty();
        Map<String, String> retryOn = new java.util.LinkedHashMap<>();
        Optional<String> bind = Optional.empty();
        Optional<String> order = Optional.empty();
        Optional<String> helo = Optional.empty();
        Batching batching = Batching.NONE;
        for (String option : tokens.subList(next + 1, tokens.size())) {
            if (option.regionMatches(true, 0, "header:", 0, 7)) {
                headers.add(option.substring(7));
                continue;
            }
            int equals = option.indexOf('=');
            if (equals <= 0) {
                throw new RouteTableException(where + ": '" + option + "' is not an option; options are name=value, one of "
                    + String.join(", ", new java.util.TreeSet<>(OPTIONS)));
            }
            String name = option.substring(0, equals).toLowerCase(Locale.ROOT);
            String value = option.substring(equals + 1);
            if (name.startsWith("retry.")) {
                String kind = parseWith(where, () -> ErrorRetries.kind(name.substring(6)));
                if (retryOn.put(kind, value) != null) {
                    throw new RouteTableException(where + ": option 'retry." + kind + "' given twice");
                }
                continue;
            }
            if (!OPTIONS.contains(name)) {
                throw new RouteTableException(where + ": unknown option '" + name + "'; options are "
                    + String.join(", ", new java.util.TreeSet<>(OPTIONS)));
            }
            if (!seen.add(name.startsWith("password") ? "password" : name)) {
                throw new RouteTableException(where + ": option '" + name + "' given twice");
            }
            switch (name) {
                case "tls" -> tls = parseWith(where, () -> TlsMode.parse(value));
                case "tls-match" -> tlsMatch = Optional.of(value);
                case "auth" -> user = Optional.of(value);
                case "password" -> password = Optional.of(value);
                case "password-env" -> password = Optional.of(secrets.environment(value)
                    .orElseThrow(() -> new RouteTableException(where + ": environment variable '" + value + "' (password-env) is not set")));
                case "password-file" -> password = Optional.of(readSecretFile(value, where));
                case "enabled" -> route.enabled(parseBoolean(value, where));
                case "id" -> route.id(parseWith(where, () -> Route.checkId(value)));
                case "comment" -> route.comment(value);
                case "sender" -> sender = Optional.of(value);
                case "auth-user" -> authUser = Optional.of(value);
                case "retry" -> retry = Optional.of(value);
                case "max-age" -> maxAge = Optional.of(value);
                case "order" -> order = Optional.of(value);
                case "verify" -> route.verifyRecipients(parseWith(where, () -> parseVerify(value)));
                case "bind" -> bind = Optional.of(value);
                case "helo" -> helo = Optional.of(value);
                case "rate" -> route.rate(Optional.of(parseWith(where, () -> Rate.parse(value))));
                case "recipients-per-message" -> batching = batching.withRecipientsPerMessage(
                    parseWith(where, () -> Batching.parseCount(name, value)));
                case "messages-per-connection" -> batching = batching.withMessagesPerConnection(
                    parseWith(where, () -> Batching.parseCount(name, value)));
                default -> throw new IllegalStateException(name);
            }
        }
        TlsMode level = tls;
        Optional<String> matchNames = tlsMatch;
        route.tls(matchNames.isEmpty() ? level : parseWith(where, () -> level.withMatch(matchNames.get())));
        Optional<String> senderCondition = sender;
        Optional<String> authUserCondition = authUser;
        route.conditions(parseWith(where, () -> RouteConditions.of(senderCondition, authUserCondition, headers)));
        Optional<String> retryDelays = retry;
        Optional<String> retryMaxAge = maxAge;
        route.retry(parseWith(where, () -> RetryRule.parse(retryDelays, retryMaxAge, retryOn)));
        route.batching(batching);
        NextHop written = nextHop;
        Optional<String> orderText = order;
        route.nextHop(orderText.isEmpty() ? written : parseWith(where, () -> written.withOrder(orderText.get())));
        Optional<String> bindText = bind;
        Optional<String> heloText = helo;
        route.identity(parseWith(where, () -> SourceIdentity.parse(bindText, heloText).checkBindable()));
        if (user.isPresent() != password.isPresent()) {
            throw new RouteTableException(where + (user.isPresent()
                ? ": auth=" + user.get() + " needs a password (password=, password-env= or password-file=)"
                : ": a password needs auth=<user>"));
        }
        if (user.isPresent()) {
            String name = user.get();
            String secret = password.get();
            route.auth(Optional.of(parseWith(where, () -> new RelayAuth(name, secret))));
        }
        return parseWith(where, route::build);
    }

    /**
     * A relay written as a routes.conf line without its pattern: {@code host[:port][,host...] [options]},
     * e.g. a smart host {@code smtp.example.net:587 tls=starttls-required auth=me password-env=RELAY_PASS}.
     * Options {@code id} and {@code comment} are accepted and ignored; {@code enabled} is refused.
     *
     * @throws RouteTableException "{where}: {problem}"
     */
    public RelaySpec parseRelay(String text, String where) {
        List<String> tokens;
        try {
            tokens = tokenize(text == null ? "" : text);
        } catch (IllegalArgumentException e) {
            throw new RouteTableException(where + ": " + e.getMessage());
        }
        if (tokens.isEmpty()) {
            throw new RouteTableException(where + ": no mail host given");
        }
        for (String option : List.of("enabled=", "sender=", "auth-user=", "header:", "verify=")) {
            if (tokens.stream().anyMatch(token -> token.toLowerCase(Locale.ROOT).startsWith(option))) {
                throw new RouteTableException(where + ": option '" + option.replaceAll("[=:]$", "") + "' is for routes only");
            }
        }
        for (String option : List.of("retry=", "retry.", "max-age=", "rate=", "recipients-per-message=", "messages-per-connection=")) {
            if (tokens.stream().anyMatch(token -> token.toLowerCase(Locale.ROOT).startsWith(option))) {
                throw new RouteTableException(where + ": option '" + option.replace("=", "").replace(".", ".<kind>") + "' is for routes only: "
                    + "<retrySchedule>, <retryOn> and <maxAge> set the smart host's retries, <destinationRates> its rate, "
                    + "<recipientsPerMessage> and <messagesPerConnection> its transactions and connections");
            }
        }
        List<String> withPattern = new ArrayList<>();
        withPattern.add("*");
        withPattern.addAll(tokens);
        return RelaySpec.of(parseRoute(withPattern, 1, where));
    }

    /** {@code verify=rcpt} (ask the route's server at RCPT time) or {@code verify=none}. */
    public static boolean parseVerify(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "rcpt" -> true;
            case "none" -> false;
            default -> throw new IllegalArgumentException("verify: '" + value + "' is not rcpt or none");
        };
    }

    private String readSecretFile(String path, String where) {
        try {
            String content = secrets.file(path);
            String firstLine = content.lines().findFirst().orElse("").strip();
            if (firstLine.isEmpty()) {
                throw new RouteTableException(where + ": password-file " + path + " is empty");
            }
            return firstLine;
        } catch (java.io.IOException e) {
            throw new RouteTableException(where + ": cannot read password-file " + path + " (" + e.getMessage() + ")");
        }
    }

    private static boolean parseBoolean(String value, String where) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes" -> true;
            case "false", "no" -> false;
            default -> throw new RouteTableException(where + ": enabled=" + value + " should be true or false");
        };
    }

    private static <T> T parseWith(String where, java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (RouteTableException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new RouteTableException(where + ": " + e.getMessage());
        }
    }

    /** Splits on blanks; "double quotes" group (with \" and \\ escapes); # starts a comment outside quotes. */
    static List<String> tokenize(String line) {
        List<String> tokens = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean inToken = false;
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '\\' && i + 1 < line.length()) {
                    current.append(line.charAt(++i));
                } else if (c == '"') {
                    quoted = false;
                } else {
                    current.append(c);
                }
            } else if (c == '"') {
                quoted = true;
                inToken = true;
            } else if (c == '#') {
                break;
            } else if (Character.isWhitespace(c)) {
                if (inToken) {
                    tokens.add(current.toString());
                    current.setLength(0);
                    inToken = false;
                }
            } else {
                current.append(c);
                inToken = true;
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("a quote is not closed");
        }
        if (inToken) {
            tokens.add(current.toString());
        }
        return tokens;
    }

}
