package org.jamesrouting.webadmin;

import static org.jamesrouting.webadmin.JsonErrors.error;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.utils.ErrorResponder;
import org.apache.james.webadmin.utils.JsonTransformer;
import org.jamesrouting.local.LocalDomains;
import org.jamesrouting.ops.RouteExplainer;
import org.jamesrouting.route.MessageContext;

import spark.Request;
import spark.Response;
import spark.Service;

/**
 * Which way mail would go, and why (part of {@link RoutingRoutes}):
 * <pre>
 * GET /routing/explain?address=a@b.c[&amp;sender=s@x.y][&amp;authUser=u][&amp;header=Name:value...]
 * </pre>
 * {@code sender=}, {@code authUser=}, {@code header=} describe the message route conditions are
 * decided with (left out: unknown). A bad address: 400.
 */
public class ExplainRoutes implements Routes {
    static final String BASE = RoutingRoutes.BASE + "/explain";

    private final RouteExplainer explainer;
    private final JsonTransformer jsonTransformer;

    @Inject
    public ExplainRoutes(RouteExplainer explainer, JsonTransformer jsonTransformer) {
        this.explainer = explainer;
        this.jsonTransformer = jsonTransformer;
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        service.get(BASE, this::explain, jsonTransformer);
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
}
