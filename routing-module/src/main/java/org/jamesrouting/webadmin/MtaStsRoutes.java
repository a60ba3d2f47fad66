package org.jamesrouting.webadmin;

import static org.jamesrouting.webadmin.JsonBodies.domainParameter;
import static org.jamesrouting.webadmin.JsonErrors.error;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.utils.ErrorResponder;
import org.apache.james.webadmin.utils.JsonTransformer;
import org.jamesrouting.engine.OutboundEngine;
import org.jamesrouting.mtasts.MtaStsPolicies;

import spark.Service;

/**
 * The MTA-STS policies of recipient domains (part of {@link RoutingRoutes}):
 * <pre>
 * GET    /routing/mta-sts                 the cached policies, with deliveries and failures under each
 * GET    /routing/mta-sts/{domain}        the policy a delivery to that domain's MX would apply now (looked up as delivery does)
 * DELETE /routing/mta-sts[/{domain}]      forget the cached policy of one domain, or all: the next mail fetches it again
 * </pre>
 * 409 while the router is not running or MTA-STS is off.
 */
public class MtaStsRoutes implements Routes {
    static final String BASE = RoutingRoutes.BASE + "/mta-sts";

    /** What a delivery to the domain's MX would apply now: the policy in force (looked up, and fetched when new), or why none is. */
    public record PolicyView(String domain, boolean inForce, String mode, List<String> mx, String id, String expires, String note) {
    }

    private final OutboundEngine engine;
    private final JsonTransformer jsonTransformer;

    @Inject
    public MtaStsRoutes(OutboundEngine engine, JsonTransformer jsonTransformer) {
        this.engine = engine;
        this.jsonTransformer = jsonTransformer;
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        service.get(BASE, (request, response) -> policies().list(), jsonTransformer);
        service.get(BASE + "/:domain", (request, response) -> policyNow(request.params("domain")), jsonTransformer);
        service.delete(BASE, (request, response) -> Map.of("flushed", policies().flush(Optional.empty())), jsonTransformer);
        service.delete(BASE + "/:domain", (request, response) ->
            Map.of("flushed", policies().flush(Optional.of(domainParameter(request.params("domain"))))), jsonTransformer);
    }

    private PolicyView policyNow(String text) {
        String domain = domainParameter(text);
        MtaStsPolicies.Finding finding = policies().policyFor(domain);
        return finding.policy()
            .map(cached -> new PolicyView(domain, true, cached.policy().mode().word(), cached.policy().mx(), cached.id(),
                cached.expires().toString(), finding.note()))
            .orElse(new PolicyView(domain, false, null, List.of(), null, null, finding.note()));
    }

    private MtaStsPolicies policies() {
        return JsonErrors.router(engine).mtaSts()
            .orElseThrow(() -> error(409, ErrorResponder.ErrorType.WRONG_STATE, "MTA-STS is off (<mtaSts>false</mtaSts> in mailetcontainer.xml)"));
    }
}
