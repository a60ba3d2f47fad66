package org.jamesrouting.webadmin;

import static org.jamesrouting.webadmin.JsonErrors.error;
import static org.jamesrouting.webadmin.JsonErrors.running;
import static org.jamesrouting.webadmin.JsonErrors.unavailable;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import javax.inject.Inject;

import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.utils.ErrorResponder;
import org.apache.james.webadmin.utils.JsonTransformer;
import org.jamesrouting.ops.RouteDoctor;
import org.jamesrouting.ops.RouteExplainer;
import org.jamesrouting.engine.OutboundEngine;
import org.jamesrouting.engine.Running;
import org.jamesrouting.dns.AddressLookup;
import org.jamesrouting.dns.DnsPins;
import org.jamesrouting.dns.DomainNameCache;
import org.jamesrouting.dns.MxLookup;
import org.jamesrouting.local.LocalDomains;
import org.jamesrouting.route.MailHost;
import org.jamesrouting.route.RelayAuth;
import org.jamesrouting.route.RelaySpec;
import org.jamesrouting.route.Route;
import org.jamesrouting.route.RouteJson;
import org.jamesrouting.route.RoutingTable;
import org.jamesrouting.route.RoutingTables;
import org.jamesrouting.route.MessageContext;
import org.jamesrouting.route.RoutingTables.RouteChangeException;
import org.jamesrouting.store.StoreUnavailableException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import spark.HaltException;

import spark.Request;
import spark.Response;
import spark.Service;

/**
 * webadmin routes of james-routing, under {@code /routing}. Enabled by
 * {@code extensions.routes=org.jamesrouting.webadmin.RoutingRoutes} in webadmin.properties.
 * <pre>
 * GET    /routing/routes                  the effective table, in order (passwords never shown)
 * POST   /routing/routes                  add a dynamic route {"pattern","hosts",...,"position"?} → 201
 * PUT    /routing/routes                  replace the whole dynamic table with a JSON array
 * GET    /routing/routes/{id}             one route
 * PUT    /routing/routes/{id}             replace a dynamic route
 * DELETE /routing/routes/{id}             delete a dynamic route → 204
 * POST   /routing/routes/{id}/move?to=N   move a dynamic route to position N
 * POST   /routing/static/reload           read routes.conf again
 * GET    /routing/explain?address=a@b.c[&sender=s@x.y][&authUser=u][&header=Name:value...]
 *                                         which way mail to that address would go, and why
 * GET    /routing/dns-cache[?domain=d]    the domain name cache
 * DELETE /routing/dns-cache[/{domain}]    flush all, or one domain
 * PUT    /routing/dns-cache/{domain}      pin: {"hosts":["host[:port]"]} used instead of the domain's MX
 * DELETE /routing/dns-cache/{domain}/pin  remove the pin
 * GET    /routing/status                  per destination: in flight, queued, delivered/deferred/bounced
 *                                         in the last minute and hour, the last problem
 * (the queue: {@link QueueRoutes})
 * GET    /routing/doctor[?address=a@b.c]   checks DNS servers, the way to the address (or the smart host)
 *                                         and each of its hosts: connect, EHLO, STARTTLS, AUTH; with advice
 * GET    /routing/smarthost               smart host and backup (password masked)
 * GET    /routing/mta-sts                 the cached MTA-STS policies, with deliveries and failures under each
 * GET    /routing/mta-sts/{domain}        the policy a delivery to that domain's MX would apply now (looked up as delivery does)
 * DELETE /routing/mta-sts[/{domain}]      forget the cached policy of one domain, or all: the next mail fetches it again
 * </pre>
 * Bad input: 400; unknown id: 404; a static route: 409; with James's JSON error body. A
 * refused change leaves the table as it was.
 */
public class RoutingRoutes implements Routes {
    public static final String BASE = "/routing";
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * A route as webadmin shows it (never its password); {@code sender}, {@code authUser}, {@code headers}: its conditions, if
     * any; {@code retry}, {@code maxAge}, {@code retryOn}: its own retry rule, if any; {@code rate}: its pace, if shaped.
     */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record RouteView(String id, int position, String source, String pattern, List<String> hosts, String tls, List<String> tlsMatch,
                            String username, boolean enabled, String comment, String sender, String authUser, List<String> headers,
                            String retry, String maxAge, java.util.Map<String, String> retryOn, String rate) {
        static RouteView of(Route route, int position) {
            return new RouteView(route.id(), position, route.source().asString(), route.pattern().asString(),
                route.hosts().stream().map(MailHost::asString).toList(), route.tls().asString(),
                route.tls().match().isEmpty() ? null : route.tls().match(),
                route.auth().map(RelayAuth::username).orElse(null), route.enabled(), route.comment(),
                route.conditions().sender().orElse(null), route.conditions().authUser().orElse(null),
                route.conditions().headers().isEmpty() ? null : route.conditions().headers(),
                route.retry().delaysText().orElse(null), route.retry().maxAgeText().orElse(null),
                route.retry().byError().isEmpty() ? null : route.retry().byError().texts(),
                route.rate().map(org.jamesrouting.route.Rate::asString).orElse(null));
        }
    }

    public record CacheEntryView(String type, String name, String answer, String expires) {
    }

    public record RelayView(List<String> hosts, String tls, String username, String password) {
        static RelayView of(RelaySpec relay) {
            return new RelayView(relay.hosts().stream().map(MailHost::asString).toList(), relay.tls().describe(),
                relay.auth().map(RelayAuth::username).orElse(null), relay.auth().map(any -> "****").orElse(null));
        }
    }

    private final RoutingTables tables;
    private final RouteExplainer explainer;
    private final OutboundEngine engine;
    private final DomainNameCache cache;
    private final DnsPins pins;
    private final OutboundStatus status;
    private final LocalDomains localDomains;
    private final RouteDoctor doctor;
    private final JsonTransformer jsonTransformer;

    private final WebAdminRequestGuard guard;

    @Inject
    public RoutingRoutes(RoutingTables tables, RouteExplainer explainer, OutboundEngine engine, DomainNameCache cache,
                         DnsPins pins, OutboundStatus status, LocalDomains localDomains, JsonTransformer jsonTransformer,
                         org.apache.james.webadmin.WebAdminConfiguration webAdmin) {
        this.guard = new WebAdminRequestGuard(java.util.Optional.ofNullable(webAdmin.getHost()));
        if (webAdmin.isEnabled() && webAdmin.getHost() != null
            && !org.jamesrouting.server.WebAdminExposureCheck.isLoopback(webAdmin.getHost().trim().toLowerCase(java.util.Locale.ROOT))
            && webAdmin.getJwtPublicKey().isEmpty()) {
            // our server refuses to start so (WebAdminExposureCheck); a host James with the drop-in jar is told
            org.slf4j.LoggerFactory.getLogger(RoutingRoutes.class).warn("james-routing: webadmin listens on {} without authentication (JWT): "
                + "anyone who reaches it can change routes and read mail. Set host=127.0.0.1 or jwt.enabled=true in webadmin.properties",
                webAdmin.getHost());
        }
        this.status = status;
        this.localDomains = localDomains;
        this.doctor = new RouteDoctor(tables, pins);
        this.tables = tables;
        this.explainer = explainer;
        this.engine = engine;
        this.cache = cache;
        this.pins = pins;
        this.jsonTransformer = jsonTransformer;
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        guard.install(service, BASE);
        service.get(BASE + "/routes", (request, response) -> views(tables.current()), jsonTransformer);
        service.post(BASE + "/routes", this::add, jsonTransformer);
        service.put(BASE + "/routes", this::replaceAll, jsonTransformer);
        service.get(BASE + "/routes/:id", (request, response) -> view(request.params("id")), jsonTransformer);
        service.put(BASE + "/routes/:id", this::replace, jsonTransformer);
        service.delete(BASE + "/routes/:id", this::delete);
        service.post(BASE + "/routes/:id/move", this::move, jsonTransformer);
        service.post(BASE + "/static/reload", this::reloadStatic, jsonTransformer);
        service.get(BASE + "/explain", this::explain, jsonTransformer);
        service.get(BASE + "/dns-cache", this::listCache, jsonTransformer);
        service.delete(BASE + "/dns-cache", (request, response) -> Map.of("flushed", cache.flush(entry -> true)), jsonTransformer);
        service.delete(BASE + "/dns-cache/:domain", (request, response) -> {
            String domain = request.params("domain").toLowerCase(Locale.ROOT);
            return Map.of("flushed", cache.flush(entry -> entry.key().name().equals(domain) || entry.key().name().endsWith("." + domain)));
        }, jsonTransformer);
        service.put(BASE + "/dns-cache/:domain", this::pin, jsonTransformer);
        service.delete(BASE + "/dns-cache/:domain/pin", (request, response) -> {
            boolean removed;
            try {
                removed = pins.unpin(request.params("domain"));
            } catch (IllegalArgumentException e) {
                throw error(400, ErrorResponder.ErrorType.INVALID_ARGUMENT, e.getMessage());
            } catch (StoreUnavailableException e) {
                throw unavailable(e);
            }
            if (!removed) {
                throw error(404, ErrorResponder.ErrorType.NOT_FOUND, "no pin for " + request.params("domain"));
            }
            response.status(204);
            return "";
        });
        service.get(BASE + "/smarthost", this::smarthost, jsonTransformer);
        service.get(BASE + "/status", (request, response) -> running(status::status), jsonTransformer);
        service.get(BASE + "/doctor", this::doctor, jsonTransformer);
        service.get(BASE + "/mta-sts", (request, response) -> mtaSts().list(), jsonTransformer);
        service.get(BASE + "/mta-sts/:domain", (request, response) -> policyNow(request.params("domain")), jsonTransformer);
        service.delete(BASE + "/mta-sts", (request, response) -> Map.of("flushed", mtaSts().flush(Optional.empty())), jsonTransformer);
        service.delete(BASE + "/mta-sts/:domain", (request, response) ->
            Map.of("flushed", mtaSts().flush(Optional.of(domainParameter(request.params("domain"))))), jsonTransformer);
    }

    /** What a delivery to the domain's MX would apply now: the policy in force (looked up, and fetched when new), or why none is. */
    public record PolicyView(String domain, boolean inForce, String mode, List<String> mx, String id, String expires, String note) {
    }

    private PolicyView policyNow(String text) {
        String domain = domainParameter(text);
        org.jamesrouting.mtasts.MtaStsPolicies.Finding finding = mtaSts().policyFor(domain);
        return finding.policy()
            .map(cached -> new PolicyView(domain, true, cached.policy().mode().word(), cached.policy().mx(), cached.id(),
                cached.expires().toString(), finding.note()))
            .orElse(new PolicyView(domain, false, null, List.of(), null, null, finding.note()));
    }

    private org.jamesrouting.mtasts.MtaStsPolicies mtaSts() {
        Running active = engine.running()
            .orElseThrow(() -> error(409, ErrorResponder.ErrorType.WRONG_STATE, "the outbound router is not running"));
        return active.mtaSts()
            .orElseThrow(() -> error(409, ErrorResponder.ErrorType.WRONG_STATE, "MTA-STS is off (<mtaSts>false</mtaSts> in mailetcontainer.xml)"));
    }

    private static String domainParameter(String text) {
        try {
            return org.jamesrouting.core.DomainNames.normalize(text).asString();
        } catch (IllegalArgumentException e) {
            throw error(400, ErrorResponder.ErrorType.INVALID_ARGUMENT, "'" + text + "' is not a domain: " + e.getMessage());
        }
    }

    private static List<RouteView> views(RoutingTable table) {
        List<RouteView> views = new ArrayList<>();
        List<Route> routes = table.routes();
        for (int i = 0; i < routes.size(); i++) {
            views.add(RouteView.of(routes.get(i), i + 1));
        }
        return views;
    }

    private RouteView view(String id) {
        List<Route> routes = tables.current().routes();
        for (int i = 0; i < routes.size(); i++) {
            if (routes.get(i).id().equals(id)) {
                return RouteView.of(routes.get(i), i + 1);
            }
        }
        throw error(404, ErrorResponder.ErrorType.NOT_FOUND, "no route " + id);
    }

    private Object add(Request request, Response response) {
        ObjectNode body = objectBody(request);
        Optional<Integer> position = Optional.empty();
        if (body.has("position")) {
            JsonNode value = body.remove("position");
            if (!value.isInt()) {
                throw error(400, ErrorResponder.ErrorType.INVALID_ARGUMENT, "'position' should be a whole number");
            }
            position = Optional.of(value.asInt());
        }
        if (body.has("id")) {
            throw error(400, ErrorResponder.ErrorType.INVALID_ARGUMENT, "'id' is given by the server");
        }
        RouteJson json = routeJson(body);
        Optional<Integer> at = position;
        Route route = change(() -> tables.add(json, at));
        response.status(201);
        return view(route.id());
    }

    private Object replace(Request request, Response response) {
        ObjectNode body = objectBody(request);
        body.remove("id");
        body.remove("position");
        body.remove("source");
        RouteJson json = routeJson(body);
        Route route = change(() -> tables.replace(request.params("id"), json));
        return view(route.id());
    }

    private Object replaceAll(Request request, Response response) {
        List<RouteJson> routes;
        requireJsonContentType(request);
        try {
            routes = JSON.readValue(request.body(), new TypeReference<List<RouteJson>>() { });
        } catch (JsonProcessingException e) {
            throw error(400, ErrorResponder.ErrorType.INVALID_ARGUMENT, "the body should be a JSON array of routes: " + e.getOriginalMessage());
        }
        change(() -> tables.replaceAll(routes));
        return views(tables.current());
    }

    private Object delete(Request request, Response response) {
        change(() -> {
            tables.delete(request.params("id"));
            return null;
        });
        response.status(204);
        return "";
    }

    private Object move(Request request, Response response) {
        String to = request.queryParams("to");
        int position;
        try {
            position = Integer.parseInt(to == null ? "" : to.trim());
        } catch (NumberFormatException e) {
            throw error(400, ErrorResponder.ErrorType.INVALID_ARGUMENT, "'to' should be the new position, a whole number: ?to=2");
        }
        Route route = change(() -> tables.move(request.params("id"), position));
        return view(route.id());
    }

    private Object reloadStatic(Request request, Response response) {
        try {
            tables.reloadStatic();
        } catch (IllegalArgumentException e) {
            throw error(400, ErrorResponder.ErrorType.INVALID_ARGUMENT, "routes.conf not reloaded, the old static routes stay: " + e.getMessage());
        }
        return Map.of("static", tables.staticCount(), "version", tables.version());
    }

    /**
     * The message explain decides route conditions with: {@code sender=} (empty or {@code <>}: the
     * null sender), {@code authUser=}, {@code header=Name:value} (repeatable). Left out: unknown.
     */
    private static MessageContext explainContext(Request request) {
        Optional<String> sender = Optional.ofNullable(request.queryParams("sender")).map(String::trim)
            .map(value -> value.equals("<>") ? "" : value);
        Optional<String> authUser = Optional.ofNullable(request.queryParams("authUser")).filter(value -> !value.isBlank());
        Map<String, List<String>> headers = new java.util.LinkedHashMap<>();
        for (String header : Optional.ofNullable(request.queryParamsValues("header")).orElse(new String[0])) {
            int colon = header.indexOf(':');
            if (colon <= 0) {
                throw error(400, ErrorResponder.ErrorType.INVALID_ARGUMENT, "header=" + header + ": give header=Name:value");
            }
            headers.computeIfAbsent(header.substring(0, colon).trim(), any -> new ArrayList<>()).add(header.substring(colon + 1).trim());
        }
        if (sender.isEmpty() && authUser.isEmpty() && headers.isEmpty()) {
            return MessageContext.UNKNOWN;
        }
        return new MessageContext(sender, authUser, MessageContext.headerLookup(headers));
    }

    private Object explain(Request request, Response response) throws LocalDomains.LookupException {
        String address = request.queryParams("address");
        if (address == null || address.isBlank()) {
            throw error(400, ErrorResponder.ErrorType.INVALID_ARGUMENT, "give the address: /routing/explain?address=user@example.com");
        }
        try {
            return explainer.explain(address, explainContext(request));
        } catch (IllegalArgumentException e) {
            throw error(400, ErrorResponder.ErrorType.INVALID_ARGUMENT, e.getMessage());
        }
    }

    private Object listCache(Request request, Response response) {
        String domain = Optional.ofNullable(request.queryParams("domain")).map(d -> d.toLowerCase(Locale.ROOT)).orElse(null);
        Predicate<String> named = name -> domain == null || name.equals(domain) || name.endsWith("." + domain);
        List<CacheEntryView> views = new ArrayList<>();
        pins.all().forEach((pinned, hosts) -> {
            if (named.test(pinned)) {
                views.add(new CacheEntryView("PIN", pinned, String.join(", ", hosts.stream().map(MailHost::asString).toList()), "never"));
            }
        });
        cache.list(entry -> named.test(entry.key().name())).forEach(entry ->
            views.add(new CacheEntryView(entry.key().type(), entry.key().name(), describe(entry.answer()), entry.expires().toString())));
        return views;
    }

    private Object pin(Request request, Response response) {
        JsonNode hosts = objectBody(request).get("hosts");
        if (hosts == null || !hosts.isArray()) {
            throw error(400, ErrorResponder.ErrorType.INVALID_ARGUMENT, "give the hosts: {\"hosts\":[\"host[:port]\"]}");
        }
        List<String> texts = new ArrayList<>();
        hosts.forEach(host -> texts.add(host.asText()));
        try {
            List<MailHost> pinned = pins.pin(request.params("domain"), texts);
            return new CacheEntryView("PIN", org.jamesrouting.core.DomainNames.normalize(request.params("domain")).asString(),
                String.join(", ", pinned.stream().map(MailHost::asString).toList()), "never");
        } catch (IllegalArgumentException e) {
            throw error(400, ErrorResponder.ErrorType.INVALID_ARGUMENT, e.getMessage());
        } catch (StoreUnavailableException e) {
            throw unavailable(e);
        }
    }

    private Object doctor(Request request, Response response) {
        Running active = engine.running()
            .orElseThrow(() -> error(409, ErrorResponder.ErrorType.WRONG_STATE, "the outbound router is not running"));
        Optional<String> address = Optional.ofNullable(request.queryParams("address")).filter(text -> !text.isBlank());
        try {
            return doctor.examine(active, address, domain -> {
                try {
                    return localDomains.isLocal(org.apache.james.core.Domain.of(domain));
                } catch (LocalDomains.LookupException e) {
                    throw new IllegalStateException("cannot read James's domains: " + e.getMessage(), e);
                }
            });
        } catch (IllegalArgumentException e) {
            throw error(400, ErrorResponder.ErrorType.INVALID_ARGUMENT, e.getMessage());
        }
    }


    private Object smarthost(Request request, Response response) {
        Running active = engine.running()
            .orElseThrow(() -> error(409, ErrorResponder.ErrorType.WRONG_STATE, "the outbound router is not running"));
        Map<String, Object> result = new java.util.LinkedHashMap<>();
        result.put("primary", active.configuration().smarthost().map(RelayView::of).orElse(null));
        result.put("backup", active.configuration().backup().map(RelayView::of).orElse(null));
        result.put("dnsServers", active.configuration().dnsServers().stream().map(Object::toString).toList());
        return result;
    }

    private static String describe(Object answer) {
        if (answer instanceof MxLookup.Hosts hosts) {
            return String.join(", ", hosts.hosts().stream().map(host -> host.preference() + " " + host.host()).toList());
        }
        if (answer instanceof MxLookup.NullMx) {
            return "null MX";
        }
        if (answer instanceof MxLookup.NoSuchDomain || answer instanceof AddressLookup.NotFound) {
            return "not found";
        }
        if (answer instanceof AddressLookup.Found found) {
            return String.join(", ", found.addresses().stream().map(java.net.InetAddress::getHostAddress).toList());
        }
        return String.valueOf(answer);
    }

    /** Without this header Jetty reads the body as form data and it is gone. */
    private static void requireJsonContentType(Request request) {
        String contentType = Optional.ofNullable(request.contentType()).orElse("");
        if (!contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw error(400, ErrorResponder.ErrorType.INVALID_ARGUMENT,
                "send the body as JSON with the header Content-Type: application/json");
        }
    }

    private static ObjectNode objectBody(Request request) {
        requireJsonContentType(request);
        try {
            JsonNode node = JSON.readTree(request.body());
            if (node == null || !node.isObject()) {
                throw error(400, ErrorResponder.ErrorType.INVALID_ARGUMENT, "the body should be a JSON object");
            }
            return (ObjectNode) node;
        } catch (JsonProcessingException e) {
            throw error(400, ErrorResponder.ErrorType.INVALID_ARGUMENT, "the body is not JSON: " + e.getOriginalMessage());
        }
    }

    private static RouteJson routeJson(ObjectNode body) {
        try {
            return JSON.treeToValue(body, RouteJson.class);
        } catch (JsonProcessingException e) {
            throw error(400, ErrorResponder.ErrorType.INVALID_ARGUMENT, "bad route: " + e.getOriginalMessage());
        }
    }

    private static <T> T change(java.util.function.Supplier<T> change) {
        try {
            return change.get();
        } catch (RouteChangeException e) {
            throw switch (e.reason()) {
                case NOT_FOUND -> error(404, ErrorResponder.ErrorType.NOT_FOUND, e.getMessage());
                case READ_ONLY, CONFLICT -> error(409, ErrorResponder.ErrorType.WRONG_STATE, e.getMessage());
                default -> error(400, ErrorResponder.ErrorType.INVALID_ARGUMENT, e.getMessage());
            };
        } catch (IllegalArgumentException e) {
            throw error(400, ErrorResponder.ErrorType.INVALID_ARGUMENT, e.getMessage());
        } catch (StoreUnavailableException e) {
            throw unavailable(e);
        }
    }

}
