package org.jamesrouting.webadmin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;

import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.utils.JsonTransformer;
import org.jamesrouting.engine.OutboundEngine;
import org.jamesrouting.engine.Running;
import org.jamesrouting.route.MailHost;
import org.jamesrouting.route.RelayAuth;
import org.jamesrouting.route.RelaySpec;

import spark.Service;

/**
 * The relays in use (part of {@link RoutingRoutes}):
 * <pre>
 * GET /routing/smarthost   the smart host and backup (password masked), and the DNS servers asked
 * </pre>
 * 409 while the router is not running.
 */
public class SmartHostRoutes implements Routes {
    static final String BASE = RoutingRoutes.BASE + "/smarthost";

    public record RelayView(List<String> hosts, String tls, String username, String password) {
        static RelayView of(RelaySpec relay) {
            return new RelayView(relay.hosts().stream().map(MailHost::asString).toList(), relay.tls().describe(),
                relay.auth().map(RelayAuth::username).orElse(null), relay.auth().map(any -> "****").orElse(null));
        }
    }

    private final OutboundEngine engine;
    private final JsonTransformer jsonTransformer;

    @Inject
    public SmartHostRoutes(OutboundEngine engine, JsonTransformer jsonTransformer) {
        this.engine = engine;
        this.jsonTransformer = jsonTransformer;
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        service.get(BASE, (request, response) -> relays(JsonErrors.router(engine)), jsonTransformer);
    }

    private static Map<String, Object> relays(Running active) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("primary", active.configuration().smarthost().map(RelayView::of).orElse(null));
        result.put("backup", active.configuration().backup().map(RelayView::of).orElse(null));
        result.put("dnsServers", active.configuration().dnsServers().stream().map(Object::toString).toList());
        return result;
    }
}
