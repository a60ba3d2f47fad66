package org.jamesrouting.webadmin;

import static org.jamesrouting.webadmin.JsonErrors.error;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;

import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.utils.ErrorResponder;
import org.apache.james.webadmin.utils.JsonTransformer;
import org.jamesrouting.engine.OutboundEngine;
import org.jamesrouting.tlsrpt.TlsReportSender;
import org.jamesrouting.tlsrpt.TlsSessionCounts;

import spark.Request;
import spark.Service;

/**
 * TLS reporting (RFC 8460; part of {@link RoutingRoutes}):
 * <pre>
 * GET  /routing/tls-reports[?day=today|yesterday]        the day's TLS sessions of MX delivery, per policy domain
 * POST /routing/tls-reports/send[?day=today|yesterday]   send that day's reports now (each UTC day's go out after midnight)
 * </pre>
 * 400 for another day; 409 while the router is not running.
 */
public class TlsReportRoutes implements Routes {
    static final String BASE = RoutingRoutes.BASE + "/tls-reports";

    /** One policy's counts of the day. */
    public record PolicyView(String domain, String policyType, List<String> policyStrings, List<String> mxHosts, long successful, long failed,
                             List<FailureView> failures) {
    }

    public record FailureView(String resultType, String receivingMx, String receivingIp, long count) {
    }

    private final OutboundEngine engine;
    private final JsonTransformer jsonTransformer;

    @Inject
    public TlsReportRoutes(OutboundEngine engine, JsonTransformer jsonTransformer) {
        this.engine = engine;
        this.jsonTransformer = jsonTransformer;
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        service.get(BASE, (request, response) -> counts(request), jsonTransformer);
        service.post(BASE + "/send", (request, response) -> {
            TlsReportSender sender = sender();
            LocalDate day = day(request, sender);
            return Map.of("day", day.toString(), "reports", sender.send(day));
        }, jsonTransformer);
    }

    private Map<String, Object> counts(Request request) {
        TlsReportSender sender = sender();
        LocalDate day = day(request, sender);
        List<PolicyView> views = new ArrayList<>();
        sender.counts().day(day).forEach((domain, policies) -> policies.forEach((policy, counts) -> {
            List<FailureView> failures = new ArrayList<>();
            counts.failures().forEach((failure, count) -> failures.add(new FailureView(failure.resultType(), failure.receivingMx(),
                failure.receivingIp(), count)));
            views.add(new PolicyView(domain, policy.type(), policy.strings(), policy.mxHosts(), counts.successful(), counts.failed(), failures));
        }));
        return Map.of("day", day.toString(), "policies", views);
    }

    private TlsReportSender sender() {
        return JsonErrors.router(engine).tlsReports();
    }

    private static LocalDate day(Request request, TlsReportSender sender) {
        String day = request.queryParams("day");
        TlsSessionCounts counts = sender.counts();
        if (day == null || day.isBlank() || day.equals("today")) {
            return counts.today();
        }
        if (day.equals("yesterday")) {
            return counts.today().minusDays(1);
        }
        throw error(400, ErrorResponder.ErrorType.INVALID_ARGUMENT, "day: give today or yesterday (the counts of older days are gone)");
    }
}
