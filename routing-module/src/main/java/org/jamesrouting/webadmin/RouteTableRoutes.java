package org.jamesrouting.webadmin;

import static org.jamesrouting.webadmin.JsonBodies.JSON;
import static org.jamesrouting.webadmin.JsonBodies.objectBody;
import static org.jamesrouting.webadmin.JsonBodies.requireJsonContentType;
import static org.jamesrouting.webadmin.JsonErrors.error;
import static org.jamesrouting.webadmin.JsonErrors.unavailable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.utils.ErrorResponder;
import org.apache.james.webadmin.utils.JsonTransformer;
import org.jamesrouting.route.MailHost;
import org.jamesrouting.route.RelayAuth;
import org.jamesrouting.route.Route;
import org.jamesrouting.route.RouteJson;
import org.jamesrouting.route.RoutingTable;
import org.jamesrouting.route.RoutingTables;
import org.jamesrouting.route.RoutingTables.RouteChangeException;
import org.jamesrouting.route.SourceIdentity;
import org.jamesrouting.store.StoreUnavailableException;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import spark.Request;
import spark.Response;
import spark.Service;

/**
 * The routing table, under {@code /routing/routes} (part of {@link RoutingRoutes}):
 * <pre>
 * GET    /routing/routes                  the effective table, in order (passwords never shown)
 * POST   /routing/routes                  add a dynamic route {"pattern","hosts",...,"position"?} → 201
 * PUT    /routing/routes                  replace the whole dynamic table with a JSON array
 * GET    /routing/routes/{id}             one route
 * PUT    /routing/routes/{id}             replace a dynamic route
 * DELETE /routing/routes/{id}             delete a dynamic route → 204
 * POST   /routing/routes/{id}/move?to=N   move a dynamic route to position N
 * POST   /routing/static/reload           read routes.conf again
 * </pre>
 * Bad input: 400; unknown id: 404; a static route: 409; the shared store unreachable: 503. A
 * refused change leaves the table as it was.
 */
public class RouteTableRoutes implements Routes {
    static final String BASE = RoutingRoutes.BASE + "/routes";

    /**
     * A route as webadmin shows it (never its password); {@code sender}, {@code authUser}, {@code headers}: its conditions, if
     * any; {@code retry}, {@code maxAge}, {@code retryOn}: its own retry rule, if any; {@code rate}: its pace, if shaped;
     * {@code recipientsPerMessage}, {@code messagesPerConnection}: its own batching, if any; {@code nextHop}: {@code mx},
     * {@code mx:<domain>} or {@code default} instead of {@code hosts}; {@code bind}, {@code helo}: its identity, if its own.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RouteView(String id, int position, String source, String pattern, List<String> hosts, String tls, List<String> tlsMatch,
                            String username, boolean enabled, String comment, String sender, String authUser, List<String> headers,
                            String retry, String maxAge, Map<String, String> retryOn, String rate, Integer recipientsPerMessage,
                            Integer messagesPerConnection, String nextHop, String bind, String helo, String order, String verify) {
        static RouteView of(Route route, int position) {
            return new RouteView(route.id(), position, route.source().asString(), route.pattern().asString(),
                route.nextHop().isHosts() ? route.nextHop().hostTexts() : null, route.tls().asString(),
                route.tls().match().isEmpty() ? null : route.tls().match(),
                route.auth().map(RelayAuth::username).orElse(null), route.enabled(), route.comment(),
                route.conditions().sender().orElse(null), route.conditions().authUser().orElse(null),
                route.conditions().headers().isEmpty() ? null : route.conditions().headers(),
                route.retry().delaysText().orElse(null), route.retry().maxAgeText().orElse(null),
                route.retry().byError().isEmpty() ? null : route.retry().byError().texts(),
                route.rate().map(org.jamesrouting.route.Rate::asString).orElse(null),
                route.batching().recipientsPerMessage().isPresent() ? route.batching().recipientsPerMessage().getAsInt() : null,
                route.batching().messagesPerConnection().isPresent() ? route.batching().messagesPerConnection().getAsInt() : null,
                route.nextHop().isHosts() ? null : route.nextHop().asString(), route.identity().bindText().orElse(null),
                route.identity().helo().orElse(null),
                route.nextHop().choice().orderWord().orElse(null),
                route.verifyRecipients() ? "rcpt" : null);
        }
    }

    private final RoutingTables tables;
    private final JsonTransformer jsonTransformer;

    @Inject
    public RouteTableRoutes(RoutingTables tables, JsonTransformer jsonTransformer) {
        this.tables = tables;
        this.jsonTransformer = jsonTransformer;
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        service.get(BASE, (request, response) -> views(tables.current()), jsonTransformer);
        service.post(BASE, this::add, jsonTransformer);
        service.put(BASE, this::replaceAll, jsonTransformer);
        service.get(BASE + "/:id", (request, response) -> view(request.params("id")), jsonTransformer);
        service.put(BASE + "/:id", this::replace, jsonTransformer);
        service.delete(BASE + "/:id", this::delete);
        service.post(BASE + "/:id/move", this::move, jsonTransformer);
        service.post(RoutingRoutes.BASE + "/static/reload", this::reloadStatic, jsonTransformer);
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

    /** The route of a request body; a {@code bind} address this machine does not have is refused here (400), as at start. */
    private static RouteJson routeJson(ObjectNode body) {
        RouteJson json;
        try {
            json = JSON.treeToValue(body, RouteJson.class);
        } catch (JsonProcessingException e) {
            throw error(400, ErrorResponder.ErrorType.INVALID_ARGUMENT, "bad route: " + e.getOriginalMessage());
        }
        try {
            SourceIdentity.parse(Optional.ofNullable(json.bind), Optional.ofNullable(json.helo)).checkBindable();
        } catch (IllegalArgumentException e) {
            throw error(400, ErrorResponder.ErrorType.INVALID_ARGUMENT, e.getMessage());
        }
        return json;
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
