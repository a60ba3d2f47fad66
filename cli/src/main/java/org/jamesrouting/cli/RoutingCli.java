package org.jamesrouting.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code bin/james-routing routes|explain|cache|smarthost}: the operator's command line over
 * the webadmin {@code /routing} API. Exit codes: 0 done, 1 refused by the server (its message is
 * printed), 2 bad usage, 3 server not reachable.
 */
public final class RoutingCli {
    public static final int OK = 0;
    public static final int REFUSED = 1;
    public static final int USAGE = 2;
    public static final int UNREACHABLE = 3;

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String USAGE_TEXT = """
        usage: bin/james-routing [--url URL] [--token JWT] [--json] COMMAND
          routes list                          the effective routing table, in order
          routes show ID
          routes add PATTERN HOST[,HOST...]|mx|mx:DOMAIN|default [ROUTE OPTIONS]   add a dynamic route
          routes edit ID PATTERN HOST[,HOST...]|mx|mx:DOMAIN|default [ROUTE OPTIONS]
          routes rm ID
          routes move ID POSITION
          routes reload                        read conf/routes.conf again
          routes explain ADDRESS               the same as explain
          explain ADDRESS [--sender S] [--auth-user U] [--header 'Name: value']...
                                               which way mail to ADDRESS goes, and why
          cache list [DOMAIN]                  the domain name cache
          cache flush [DOMAIN]
          cache pin DOMAIN HOST[,HOST...]      send DOMAIN's mail to these hosts instead of its MX
          cache unpin DOMAIN
          smarthost                            the smart host and backup in use
          mta-sts [DOMAIN]                     the cached MTA-STS policies; with DOMAIN, the policy in force for it now
          mta-sts flush [DOMAIN]               forget cached policies: the next mail fetches them again
          tls-reports [--yesterday]            TLS sessions of MX delivery per policy domain (RFC 8460 counts)
          tls-reports send [--today]           send the day's TLS reports now (they go out after midnight UTC)
          status [--once] [--every SECONDS]    per destination: in flight, queued, delivered/deferred/bounced
                                               (last minute/hour), last problem; refreshes like top
          queue [DESTINATION]                  queued mail by destination and age (like qshape), with reasons
          queue flush DESTINATION              send that destination's queued mail now
          queue holds                          the destinations on hold
          queue hold DESTINATION|--message NAME [--reason TEXT]
                                               hold: not tried, not ageing, kept across restarts
          queue release DESTINATION|--message NAME    held mail back into the queue, delivered now
          queue bounce DESTINATION|--message NAME     DSN to the sender ("removed by the mail administrator")
          queue delete DESTINATION|--message NAME     removed without a DSN (logged)
          queue retry DESTINATION|--message NAME      queued mail tried now, not at its next retry
                                               DESTINATION as status names it: 'route ID', 'smart host', 'mx:DOMAIN';
                                               or an MX set 'mxset:*.google.com' (domains whose best MX matches)
          doctor [ADDRESS]                     "mail will not send out": checks DNS servers, the way to ADDRESS
                                               (or the smart host), connect/EHLO/STARTTLS/AUTH to each host, advice
        route options: --tls none|may|encrypt|verify|secure|implicit|implicit-encrypt|implicit-secure  --tls-match NAMES  --user NAME
          --password-env VARIABLE | --password-file PATH  --position N  --disabled  --comment TEXT
          --bind ADDRESS (local address of its connections)  --helo NAME (its EHLO name)
          --order random (hosts in a random order each delivery; weights: HOST*3,HOST*1)
          --verify rcpt (ask the route's server about each recipient at RCPT time)
          conditions (all must hold): --sender PATTERN ('<>': null sender)  --auth-user PATTERN
          --header 'Name=value' | --header 'Name~pattern' (repeatable); patterns: * any, ? one char, % one digit
        --url: webadmin address (default $JAMES_ROUTING_URL, else http://127.0.0.1:8000)
        --token: JWT for a webadmin with jwt.enabled=true (default $JAMES_ROUTING_TOKEN)
        exit codes: 0 done, 1 refused by the server, 2 bad usage, 3 server not reachable
        """;

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> environment;
    private String url;
    private String token;
    private boolean json;

    RoutingCli(PrintStream out, PrintStream err, Map<String, String> environment) {
        this.out = out;
        this.err = err;
        this.environment = environment;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, System.getenv()));
    }

    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> environment) {
        return new RoutingCli(out, err, environment).run(List.of(args));
    }

    private static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    private static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    int run(List<String> arguments) {
        List<String> args = new ArrayList<>();
        url = environment.getOrDefault("JAMES_ROUTING_URL", "http://127.0.0.1:8000");
        token = environment.get("JAMES_ROUTING_TOKEN");
        try {
            for (Iterator<String> it = arguments.iterator(); it.hasNext();) {
                String arg = it.next();
                switch (arg) {
                    case "--url" -> url = next(it, "--url");
                    case "--token" -> token = next(it, "--token");
                    case "--json" -> json = true;
                    case "-h", "--help", "help" -> {
                        out.print(USAGE_TEXT);
                        return OK;
                    }
                    default -> args.add(arg);
                }
            }
            url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
            if (args.isEmpty()) {
                throw new UsageException("no command");
            }
            return dispatch(args);
        } catch (UsageException e) {
            err.println("james-routing: " + e.getMessage());
            err.print(USAGE_TEXT);
            return USAGE;
        } catch (Refused e) {
            err.println("james-routing: " + e.getMessage());
            return REFUSED;
        } catch (ConnectException e) {
            err.println("james-routing: cannot reach webadmin at " + url + " (is the server running? --url sets the address)");
            return UNREACHABLE;
        } catch (IOException e) {
            err.println("james-routing: talking to " + url + " failed: " + e);
            return UNREACHABLE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return UNREACHABLE;
        }
    }

    private int dispatch(List<String> args) throws UsageException, Refused, IOException, InterruptedException {
        String command = args.get(0);
        List<String> rest = args.subList(1, args.size());
        switch (command) {
            case "routes" -> {
                if (rest.isEmpty()) {
                    throw new UsageException("routes: expected list, show, add, edit, rm, move or reload");
                }
                routes(rest.get(0), rest.subList(1, rest.size()));
            }
            case "explain" -> {
                if (rest.isEmpty() || rest.get(0).startsWith("--")) {
                    throw new UsageException("explain ADDRESS [--sender S] [--auth-user U] [--header 'Name: value']...");
                }
                StringBuilder query = new StringBuilder("/routing/explain?address=" + encode(rest.get(0)));
                for (Iterator<String> it = rest.subList(1, rest.size()).iterator(); it.hasNext();) {
                    String option = it.next();
                    switch (option) {
                        case "--sender" -> query.append("&sender=").append(encode(next(it, option)));
                        case "--auth-user" -> query.append("&authUser=").append(encode(next(it, option)));
                        case "--header" -> query.append("&header=").append(encode(next(it, option)));
                        default -> throw new UsageException("explain: unknown option '" + option + "'");
                    }
                }
                printExplanation(call("GET", query.toString(), null));
            }
            case "cache" -> cache(rest);
            case "mta-sts" -> mtaSts(rest);
            case "tls-reports" -> tlsReports(rest);
            case "status" -> status(rest);
            case "doctor" -> {
                if (rest.size() > 1) {
                    throw new UsageException("doctor [ADDRESS]");
                }
                JsonNode report = call("GET", "/routing/doctor" + (rest.isEmpty() ? "" : "?address=" + encode(rest.get(0))), null);
                if (json) {
                    out.println(report.toPrettyString());
                } else {
                    for (JsonNode check : report.path("checks")) {
                        out.println((check.path("ok").asBoolean() ? "ok    " : "FAIL  ") + check.path("step").asText());
                        out.println("      " + check.path("detail").asText());
                        if (!check.path("advice").asText().isEmpty()) {
                            out.println("      -> " + check.path("advice").asText());
                        }
                    }
                    out.println(report.path("healthy").asBoolean() ? "all checks passed" : "some checks failed: see -> above");
                }
                if (!report.path("healthy").asBoolean()) {
                    return REFUSED;
                }
            }
            case "queue" -> queue(rest);
            case "smarthost" -> {
                expectArgs(rest, 0, "smarthost");
                JsonNode smarthost = call("GET", "/routing/smarthost", null);
                if (json) {
                    out.println(smarthost.toPrettyString());
                } else {
                    out.println("primary: " + relay(smarthost.get("primary")));
                    out.println("backup:  " + relay(smarthost.get("backup")));
                    out.println("DNS:     " + join(smarthost.get("dnsServers")));
                }
            }
            default -> throw new UsageException("unknown command '" + command + "'");
        }
        return OK;
    }

    private void routes(String action, List<String> args) throws UsageException, Refused, IOException, InterruptedException {
        switch (action) {
            case "list" -> {
                expectArgs(args, 0, "routes list");
                printRoutes(call("GET", "/routing/routes", null));
            }
            case "show" -> {
                expectArgs(args, 1, "routes show ID");
                printRoutes(JSON.createArrayNode().add(call("GET", "/routing/routes/" + encode(args.get(0)), null)));
            }
            case "add" -> {
                if (args.size() < 2) {
                    throw new UsageException("routes add PATTERN HOST[,HOST...] [options]");
                }
                ObjectNode body = routeBody(args.get(0), args.get(1), args.subList(2, args.size()), true);
                JsonNode created = call("POST", "/routing/routes", body);
                printRoutes(JSON.createArrayNode().add(created));
            }
            case "edit" -> {
                if (args.size() < 3) {
                    throw new UsageException("routes edit ID PATTERN HOST[,HOST...] [options]");
                }
                ObjectNode body = routeBody(args.get(1), args.get(2), args.subList(3, args.size()), false);
                printRoutes(JSON.createArrayNode().add(call("PUT", "/routing/routes/" + encode(args.get(0)), body)));
            }
            case "rm" -> {
                expectArgs(args, 1, "routes rm ID");
                call("DELETE", "/routing/routes/" + encode(args.get(0)), null);
                if (!json) {
                    out.println("deleted " + args.get(0));
                }
            }
            case "move" -> {
                expectArgs(args, 2, "routes move ID POSITION");
                if (!args.get(1).matches("\\d+")) {
                    throw new UsageException("routes move: POSITION should be a number, not '" + args.get(1) + "'");
                }
                printRoutes(JSON.createArrayNode().add(call("POST", "/routing/routes/" + encode(args.get(0)) + "/move?to=" + args.get(1), null)));
            }
            case "explain" -> {
                List<String> explain = new ArrayList<>(List.of("explain"));
                explain.addAll(args);
                dispatch(explain);
            }
            case "reload" -> {
                expectArgs(args, 0, "routes reload");
                JsonNode result = call("POST", "/routing/static/reload", null);
                out.println(json ? result.toPrettyString() : "routes.conf reloaded: " + result.get("static").asInt() + " static route(s)");
            }
            default -> throw new UsageException("routes: unknown action '" + action + "'");
        }
    }

    private ObjectNode routeBody(String pattern, String hosts, List<String> options, boolean allowPosition) throws UsageException, IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("pattern", pattern);
        String lower = hosts.trim().toLowerCase(java.util.Locale.ROOT);
        if (lower.equals("mx") || lower.equals("default") || (lower.startsWith("mx:") && !lower.substring(3).matches("[0-9]*"))) {
            body.put("nextHop", hosts.trim());
        } else {
            ArrayNode hostList = body.putArray("hosts");
            for (String host : hosts.split(",")) {
                if (!host.isBlank()) {
                    hostList.add(host.trim());
                }
            }
        }
        for (Iterator<String> it = options.iterator(); it.hasNext();) {
            String option = it.next();
            switch (option) {
                case "--tls" -> body.put("tls", next(it, option));
                case "--tls-match" -> body.putArray("tlsMatch").add(next(it, option));
                case "--user" -> body.put("username", next(it, option));
                case "--password-env" -> {
                    String variable = next(it, option);
                    String value = environment.get(variable);
                    if (value == null) {
                        throw new UsageException("environment variable " + variable + " is not set");
                    }
                    body.put("password", value);
                }
                case "--password-file" -> body.put("password", Files.readString(Path.of(next(it, option))).lines().findFirst().orElse("").strip());
                case "--position" -> {
                    if (!allowPosition) {
                        throw new UsageException("--position: use 'routes move' for an existing route");
                    }
                    String value = next(it, option);
                    if (!value.matches("\\d+")) {
                        throw new UsageException("--position should be a number, not '" + value + "'");
                    }
                    body.put("position", Integer.parseInt(value));
                }
                case "--disabled" -> body.put("enabled", false);
                case "--comment" -> body.put("comment", next(it, option));
                case "--order" -> body.put("order", next(it, option));
                case "--verify" -> body.put("verify", next(it, option));
                case "--bind" -> body.put("bind", next(it, option));
                case "--helo" -> body.put("helo", next(it, option));
                case "--sender" -> body.put("sender", next(it, option));
                case "--auth-user" -> body.put("authUser", next(it, option));
                case "--header" -> {
                    ArrayNode headers = body.has("headers") ? (ArrayNode) body.get("headers") : body.putArray("headers");
                    headers.add(next(it, option));
                }
                default -> throw new UsageException("unknown route option '" + option + "'");
            }
        }
        return body;
    }

    private void cache(List<String> args) throws UsageException, Refused, IOException, InterruptedException {
        if (args.isEmpty()) {
            throw new UsageException("cache: expected list or flush");
        }
        String domain = args.size() > 1 ? args.get(1) : null;
        if (args.get(0).equals("pin")) {
            expectArgs(args, 3, "cache pin DOMAIN HOST[,HOST...]");
            ObjectNode body = JSON.createObjectNode();
            ArrayNode hosts = body.putArray("hosts");
            for (String host : args.get(2).split(",")) {
                hosts.add(host.trim());
            }
            JsonNode pinned = call("PUT", "/routing/dns-cache/" + encode(domain), body);
            out.println(json ? pinned.toPrettyString() : "pinned " + pinned.get("name").asText() + " -> " + pinned.get("answer").asText());
            return;
        }
        if (args.get(0).equals("unpin")) {
            expectArgs(args, 2, "cache unpin DOMAIN");
            call("DELETE", "/routing/dns-cache/" + encode(domain) + "/pin", null);
            if (!json) {
                out.println("unpinned " + domain);
            }
            return;
        }
        if (args.size() > 2) {
            throw new UsageException("cache " + args.get(0) + " [DOMAIN]");
        }
        switch (args.get(0)) {
            case "list" -> {
                JsonNode entries = call("GET", "/routing/dns-cache" + (domain == null ? "" : "?domain=" + encode(domain)), null);
                if (json) {
                    out.println(entries.toPrettyString());
                    return;
                }
                List<List<String>> rows = new ArrayList<>();
                rows.add(List.of("TYPE", "NAME", "ANSWER", "EXPIRES"));
                for (JsonNode entry : entries) {
                    rows.add(List.of(entry.get("type").asText(), entry.get("name").asText(), entry.get("answer").asText(), entry.get("expires").asText()));
                }
                printTable(rows);
            }
            case "flush" -> {
                JsonNode result = call("DELETE", "/routing/dns-cache" + (domain == null ? "" : "/" + encode(domain)), null);
                out.println(json ? result.toPrettyString() : "flushed " + result.get("flushed").asInt() + " entr" + (result.get("flushed").asInt() == 1 ? "y" : "ies"));
            }
            default -> throw new UsageException("cache: unknown action '" + args.get(0) + "'");
        }
    }

    /** tls-reports [--yesterday] | tls-reports send [--today] */
    private void tlsReports(List<String> args) throws UsageException, Refused, IOException, InterruptedException {
        boolean send = !args.isEmpty() && args.get(0).equals("send");
        List<String> options = send ? args.subList(1, args.size()) : args;
        String day = send ? "yesterday" : "today";
        for (String option : options) {
            switch (option) {
                case "--today" -> day = "today";
                case "--yesterday" -> day = "yesterday";
                default -> throw new UsageException("tls-reports [--yesterday] | tls-reports send [--today]");
            }
        }
        if (send) {
            JsonNode result = call("POST", "/routing/tls-reports/send?day=" + day, null);
            if (json) {
                out.println(result.toPrettyString());
                return;
            }
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("DOMAIN", "SESSIONS", "SENT TO", "NOTE"));
            for (JsonNode report : result.path("reports")) {
                rows.add(List.of(report.path("domain").asText(), report.path("sessions").asText(), join(report.get("sentTo")),
                    report.path("note").asText("").isEmpty() ? "-" : report.path("note").asText()));
            }
            out.println("TLS reports of " + result.path("day").asText() + ":");
            printTable(rows);
            return;
        }
        JsonNode counts = call("GET", "/routing/tls-reports?day=" + day, null);
        if (json) {
            out.println(counts.toPrettyString());
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("DOMAIN", "POLICY", "SUCCESSFUL", "FAILED", "FAILURES"));
        for (JsonNode policy : counts.path("policies")) {
            List<String> failures = new ArrayList<>();
            policy.path("failures").forEach(failure -> failures.add(failure.path("resultType").asText() + " at "
                + failure.path("receivingMx").asText() + " x" + failure.path("count").asText()));
            rows.add(List.of(policy.path("domain").asText(), policy.path("policyType").asText(), policy.path("successful").asText(),
                policy.path("failed").asText(), failures.isEmpty() ? "-" : String.join(", ", failures)));
        }
        out.println("TLS sessions of MX delivery, " + counts.path("day").asText() + " (UTC):");
        printTable(rows);
    }

    private void mtaSts(List<String> args) throws UsageException, Refused, IOException, InterruptedException {
        if (!args.isEmpty() && args.get(0).equals("flush")) {
            if (args.size() > 2) {
                throw new UsageException("mta-sts flush [DOMAIN]");
            }
            JsonNode result = call("DELETE", "/routing/mta-sts" + (args.size() == 2 ? "/" + encode(args.get(1)) : ""), null);
            out.println(json ? result.toPrettyString() : "flushed " + result.get("flushed").asInt() + " polic" + (result.get("flushed").asInt() == 1 ? "y" : "ies"));
            return;
        }
        if (args.size() > 1) {
            throw new UsageException("mta-sts [DOMAIN] | mta-sts flush [DOMAIN]");
        }
        if (args.size() == 1) {
            JsonNode policy = call("GET", "/routing/mta-sts/" + encode(args.get(0)), null);
            if (json) {
                out.println(policy.toPrettyString());
            } else {
                out.println(policy.get("domain").asText() + ": " + policy.get("note").asText());
            }
            return;
        }
        JsonNode policies = call("GET", "/routing/mta-sts", null);
        if (json) {
            out.println(policies.toPrettyString());
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("DOMAIN", "MODE", "MX", "ID", "EXPIRES", "SENT", "FAILURES", "LAST FAILURE"));
        for (JsonNode policy : policies) {
            rows.add(List.of(policy.get("domain").asText(), policy.get("mode").asText(), join(policy.get("mx")), policy.get("id").asText(),
                policy.get("expires").asText(), policy.get("deliveries").asText(), policy.get("failures").asText(),
                policy.get("lastFailure").asText()));
        }
        printTable(rows);
    }

    /** {@code " match=a:.b"} for a route with tls-match names, else empty. */
    private static String tlsMatch(JsonNode names) {
        if (names == null || !names.isArray() || names.isEmpty()) {
            return "";
        }
        List<String> list = new ArrayList<>();
        names.forEach(name -> list.add(name.asText()));
        return " match=" + String.join(":", list);
    }

    private void printRoutes(JsonNode routes) {
        if (json) {
            out.println(routes.toPrettyString());
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("POS", "ID", "SOURCE", "PATTERN", "IF", "HOSTS", "TLS", "AUTH", "OPTIONS", "ENABLED", "COMMENT"));
        for (JsonNode route : routes) {
            rows.add(List.of(route.path("position").asText(), route.path("id").asText(), route.path("source").asText(),
                route.path("pattern").asText(), conditions(route),
                route.hasNonNull("nextHop") ? route.get("nextHop").asText() : join(route.get("hosts")),
                route.path("tls").asText() + tlsMatch(route.get("tlsMatch")),
                route.hasNonNull("username") ? route.get("username").asText() : "-", routeOptions(route),
                route.path("enabled").asBoolean(true) ? "yes" : "no", route.path("comment").asText("")));
        }
        printTable(rows);
    }

    /** A route's other options as routes.conf writes them (order, pace, retries, batching, identity, verification), "-" for none. */
    private static String routeOptions(JsonNode route) {
        List<String> parts = new ArrayList<>();
        for (String[] option : new String[][] {{"order", "order"}, {"rate", "rate"}, {"retry", "retry"}, {"maxAge", "max-age"},
            {"recipientsPerMessage", "recipients-per-message"}, {"messagesPerConnection", "messages-per-connection"}, {"bind", "bind"},
            {"helo", "helo"}, {"verify", "verify"}}) {
            if (route.hasNonNull(option[0])) {
                parts.add(option[1] + "=" + route.get(option[0]).asText());
            }
        }
        route.path("retryOn").fields().forEachRemaining(kind -> parts.add("retry." + kind.getKey() + "=" + kind.getValue().asText()));
        return parts.isEmpty() ? "-" : String.join(" ", parts);
    }

    /** A route's conditions as routes.conf writes them, "-" for none. */
    private static String conditions(JsonNode route) {
        List<String> parts = new ArrayList<>();
        if (route.hasNonNull("sender")) {
            parts.add("sender=" + route.get("sender").asText());
        }
        if (route.hasNonNull("authUser")) {
            parts.add("auth-user=" + route.get("authUser").asText());
        }
        route.path("headers").forEach(header -> parts.add("header:" + header.asText()));
        return parts.isEmpty() ? "-" : String.join(" ", parts);
    }

    private void printExplanation(JsonNode explanation) {
        if (json) {
            out.println(explanation.toPrettyString());
            return;
        }
        out.println("address: " + explanation.get("address").asText());
        out.println("local:   " + (explanation.get("local").asBoolean() ? "yes" : "no"));
        JsonNode route = explanation.get("route");
        out.println("route:   " + (route == null || route.isNull() ? "none" : route.get("id").asText() + " (" + route.get("pattern").asText() + ")"));
        if (route != null && !route.isNull()) {
            out.println("next hop: " + (route.hasNonNull("nextHop") ? route.get("nextHop").asText() : join(route.get("hosts"))));
            String options = routeOptions(route);
            if (!options.equals("-")) {
                out.println("options: " + options);
            }
        }
        out.println("why:     " + explanation.get("reason").asText());
        for (JsonNode skipped : explanation.path("skipped")) {
            out.println("skipped: " + skipped.asText());
        }
        if (explanation.hasNonNull("mtaSts")) {
            out.println("MTA-STS: " + explanation.get("mtaSts").asText());
        }
        if (explanation.hasNonNull("retry")) {
            out.println("retry:   " + explanation.get("retry").asText());
        }
        if (explanation.hasNonNull("rate")) {
            out.println("rate:    " + explanation.get("rate").asText());
        }
        if (explanation.hasNonNull("batching")) {
            out.println("batches: " + explanation.get("batching").asText());
        }
        JsonNode hops = explanation.get("hops");
        if (hops != null && hops.size() > 0) {
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("#", "VIA", "HOST", "PORT", "ADDRESSES", "NOTE", "TLS"));
            int index = 1;
            for (JsonNode hop : hops) {
                rows.add(List.of(String.valueOf(index++), hop.get("via").asText(), hop.get("host").asText(), hop.get("port").asText(),
                    join(hop.get("addresses")), hop.path("note").asText(""), hop.path("tls").asText("")));
            }
            printTable(rows);
        }
    }

    private void status(List<String> args) throws UsageException, Refused, IOException, InterruptedException {
        boolean once = json;
        long every = 2;
        for (Iterator<String> it = args.iterator(); it.hasNext();) {
            String option = it.next();
            switch (option) {
                case "--once" -> once = true;
                case "--every" -> {
                    String value = next(it, option);
                    if (!value.matches("\\d+") || Long.parseLong(value) < 1) {
                        throw new UsageException("--every: a number of seconds, not '" + value + "'");
                    }
                    every = Long.parseLong(value);
                }
                default -> throw new UsageException("status: unknown option '" + option + "'");
            }
        }
        while (true) {
            JsonNode status = call("GET", "/routing/status", null);
            if (json) {
                out.println(status.toPrettyString());
                return;
            }
            if (!once) {
                out.print("\033[H\033[2J");
            }
            out.println("james-routing status at " + java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                + (once ? "" : " (every " + every + " s; Ctrl-C stops)"));
            out.println(OperatorViews.statusHeadline(status));
            out.println();
            printTable(OperatorViews.statusRows(status));
            out.flush();
            if (once) {
                return;
            }
            Thread.sleep(every * 1000);
        }
    }

    private void queue(List<String> args) throws UsageException, Refused, IOException, InterruptedException {
        if (!args.isEmpty() && args.get(0).equals("flush")) {
            expectArgs(args, 2, "queue flush DESTINATION");
            JsonNode result = call("POST", "/routing/queue/flush?destination=" + encode(args.get(1)), null);
            out.println(json ? result.toPrettyString() : "flushed " + result.get("flushed").asInt() + " mail(s) of " + args.get(1));
            return;
        }
        if (!args.isEmpty() && args.get(0).equals("holds")) {
            expectArgs(args, 1, "queue holds");
            JsonNode holds = call("GET", "/routing/queue/holds", null);
            if (json) {
                out.println(holds.toPrettyString());
            } else if (holds.isEmpty()) {
                out.println("no destination is on hold");
            } else {
                printTable(OperatorViews.holdRows(holds));
            }
            return;
        }
        if (!args.isEmpty() && List.of("hold", "release", "bounce", "delete", "retry").contains(args.get(0))) {
            queueAction(args);
            return;
        }
        if (args.size() > 1) {
            throw new UsageException("queue [DESTINATION] | queue flush|hold|release|bounce|delete ... | queue holds");
        }
        JsonNode queue = call("GET", "/routing/queue" + (args.isEmpty() ? "" : "?destination=" + encode(args.get(0))), null);
        if (json) {
            out.println(queue.toPrettyString());
            return;
        }
        if (queue.path("mails").isEmpty()) {
            out.println("queue " + queue.path("queue").asText() + " is empty" + (args.isEmpty() ? "" : " for " + args.get(0)));
        } else {
            out.println("queue " + queue.path("queue").asText() + ", by destination and age (mails older than ...):");
            printTable(OperatorViews.shapeRows(queue));
            out.println();
            printTable(OperatorViews.mailRows(queue));
        }
        List<List<String>> waiting = OperatorViews.waitingRows(queue);
        if (!waiting.isEmpty()) {
            out.println();
            out.println("waiting in memory for their turn (delivered when it comes; still in the queue if the server stops):");
            printTable(waiting);
        }
        List<List<String>> held = OperatorViews.heldRows(queue);
        if (!held.isEmpty()) {
            out.println();
            out.println("on hold (bin/james-routing queue release DESTINATION, or --message NAME):");
            printTable(held);
        }
        List<List<String>> parked = OperatorViews.parkedRows(queue);
        if (!parked.isEmpty()) {
            out.println();
            out.println("parked after repeated failures (bin/james-routing queue flush parked puts them back):");
            printTable(parked);
        }
    }

    /** queue hold|release|bounce|delete DESTINATION | --message NAME [--reason TEXT] */
    private void queueAction(List<String> args) throws UsageException, Refused, IOException, InterruptedException {
        String action = args.get(0);
        String usage = "queue " + action + " DESTINATION | queue " + action + " --message NAME" + (action.equals("hold") ? " [--reason TEXT]" : "");
        String destination = null;
        String message = null;
        String reason = null;
        for (int i = 1; i < args.size(); i++) {
            String arg = args.get(i);
            if ((arg.equals("--message") || arg.equals("--reason")) && i + 1 < args.size()) {
                if (arg.equals("--message")) {
                    message = args.get(++i);
                } else if (action.equals("hold")) {
                    reason = args.get(++i);
                } else {
                    throw new UsageException(usage);
                }
            } else if (destination == null && !arg.startsWith("--")) {
                destination = arg;
            } else {
                throw new UsageException(usage);
            }
        }
        if ((destination == null) == (message == null)) {
            throw new UsageException(usage);
        }
        String query = destination != null ? "destination=" + encode(destination) : "message=" + encode(message);
        JsonNode result = call("POST", "/routing/queue/" + action + "?" + query + (reason == null ? "" : "&reason=" + encode(reason)), null);
        if (json) {
            out.println(result.toPrettyString());
            return;
        }
        String done = switch (action) {
            case "hold" -> "held";
            case "release" -> "released";
            case "bounce" -> "bounced";
            case "retry" -> "queued for now";
            default -> "deleted";
        };
        String what = destination != null ? result.path("destination").asText(destination) : message;
        List<String> names = new ArrayList<>();
        result.path("done").forEach(name -> names.add(name.asText()));
        out.println((action.equals("hold") && destination != null ? what + " is on hold; " : action.equals("release") && destination != null
            ? what + " is released; " : "") + done + " " + names.size() + " mail(s)" + (names.isEmpty() ? "" : ": " + String.join(" ", names)));
        List<String> busy = new ArrayList<>();
        result.path("busy").forEach(name -> busy.add(name.asText()));
        if (!busy.isEmpty()) {
            out.println("being delivered at this moment, left alone: " + String.join(" ", busy));
        }
    }

    private void printTable(List<List<String>> rows) {
        int[] widths = new int[rows.get(0).size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(i == row.size() - 1 ? row.get(i) : String.format("%-" + widths[i] + "s  ", row.get(i)));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    private static String relay(JsonNode relay) {
        if (relay == null || relay.isNull()) {
            return "none";
        }
        return join(relay.get("hosts")) + " tls=" + relay.get("tls").asText()
            + (relay.hasNonNull("username") ? " auth=" + relay.get("username").asText() + " password=****" : "");
    }

    private static String join(JsonNode array) {
        List<String> values = new ArrayList<>();
        if (array != null) {
            array.forEach(value -> values.add(value.asText()));
        }
        return values.isEmpty() ? "-" : String.join(",", values);
    }

    private JsonNode call(String method, String path, JsonNode body) throws IOException, InterruptedException, Refused {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60));
        if (token != null && !token.isBlank()) {
            request.header("Authorization", "Bearer " + token.trim());
        }
        if (body != null) {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            // a call without a body says JSON too: webadmin refuses state changes that a web page could make
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
            .send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 400) {
            String message = response.body();
            try {
                message = JSON.readTree(response.body()).path("message").asText(message);
            } catch (IOException e) {
                // not JSON: keep the raw body
            }
            throw new Refused(response.statusCode() + ": " + message);
        }
        return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
    }

    private static String next(Iterator<String> it, String option) throws UsageException {
        if (!it.hasNext()) {
            throw new UsageException(option + " needs a value");
        }
        return it.next();
    }

    private static void expectArgs(List<String> args, int count, String usage) throws UsageException {
        if (args.size() != count) {
            throw new UsageException("expected: " + usage);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
