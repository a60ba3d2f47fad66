package org.jamesrouting.webadmin;

import static org.jamesrouting.webadmin.JsonErrors.running;

import javax.inject.Inject;

import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.utils.JsonTransformer;

import spark.Service;

/**
 * What the router is doing (part of {@link RoutingRoutes}):
 * <pre>
 * GET /routing/status   per destination: in flight, queued, delivered/deferred/bounced in the last
 *                       minute and hour, the last problem; mail waiting in memory; the DNS servers
 * </pre>
 * (the queue itself: {@link QueueRoutes}). 409 while the router is not running.
 */
public class StatusRoutes implements Routes {
    static final String BASE = RoutingRoutes.BASE + "/status";

    private final OutboundStatus status;
    private final JsonTransformer jsonTransformer;

    @Inject
    public StatusRoutes(OutboundStatus status, JsonTransformer jsonTransformer) {
        this.status = status;
        this.jsonTransformer = jsonTransformer;
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        service.get(BASE, (request, response) -> running(status::status), jsonTransformer);
    }
}
