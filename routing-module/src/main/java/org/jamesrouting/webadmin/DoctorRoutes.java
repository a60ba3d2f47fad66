package org.jamesrouting.webadmin;

import static org.jamesrouting.webadmin.JsonErrors.error;

import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.utils.ErrorResponder;
import org.apache.james.webadmin.utils.JsonTransformer;
import org.jamesrouting.dns.DnsPins;
import org.jamesrouting.engine.OutboundEngine;
import org.jamesrouting.engine.Running;
import org.jamesrouting.local.LocalDomains;
import org.jamesrouting.ops.RouteDoctor;
import org.jamesrouting.route.RoutingTables;

import spark.Request;
import spark.Response;
import spark.Service;

/**
 * "Mail will not send out" (part of {@link RoutingRoutes}):
 * <pre>
 * GET /routing/doctor[?address=a@b.c]   checks the DNS servers, the way to the address (or the smart host)
 *                                       and each of its hosts: connect, EHLO, STARTTLS, AUTH; with advice
 * </pre>
 * 400 for a bad address; 409 while the router is not running.
 */
public class DoctorRoutes implements Routes {
    static final String BASE = RoutingRoutes.BASE + "/doctor";

    private final OutboundEngine engine;
    private final LocalDomains localDomains;
    private final RouteDoctor doctor;
    private final JsonTransformer jsonTransformer;

    @Inject
    public DoctorRoutes(OutboundEngine engine, LocalDomains localDomains, RoutingTables tables, DnsPins pins, JsonTransformer jsonTransformer) {
        this.engine = engine;
        this.localDomains = localDomains;
        this.doctor = new RouteDoctor(tables, pins);
        this.jsonTransformer = jsonTransformer;
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        service.get(BASE, this::examine, jsonTransformer);
    }

    private Object examine(Request request, Response response) {
        Running active = JsonErrors.router(engine);
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
}
