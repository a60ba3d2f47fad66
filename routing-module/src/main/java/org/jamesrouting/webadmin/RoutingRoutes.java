package org.jamesrouting.webadmin;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.WebAdminConfiguration;
import org.jamesrouting.server.WebAdminExposureCheck;
import org.slf4j.LoggerFactory;

import spark.Service;

/**
 * james-routing's webadmin resources under {@code /routing}, each its own Routes class:
 * the routing table ({@link RouteTableRoutes}), explain ({@link ExplainRoutes}), the domain name
 * cache ({@link DnsCacheRoutes}), MTA-STS policies ({@link MtaStsRoutes}), status
 * ({@link StatusRoutes}), the smart host ({@link SmartHostRoutes}), the doctor
 * ({@link DoctorRoutes}) and TLS reports ({@link TlsReportRoutes}); the queue is {@link QueueRoutes}. Enabled in webadmin.properties by
 * <pre>extensions.routes=org.jamesrouting.webadmin.RoutingRoutes,org.jamesrouting.webadmin.QueueRoutes</pre>
 * This class installs the request guard ({@link WebAdminRequestGuard}) for {@code /routing},
 * warns when webadmin is exposed without authentication, and defines each resource. Errors are
 * James's JSON errors.
 */
public class RoutingRoutes implements Routes {
    public static final String BASE = "/routing";

    private final WebAdminRequestGuard guard;
    private final List<Routes> resources;

    @Inject
    public RoutingRoutes(RouteTableRoutes table, ExplainRoutes explain, DnsCacheRoutes dnsCache, MtaStsRoutes mtaSts, StatusRoutes status,
                         SmartHostRoutes smartHost, DoctorRoutes doctor, TlsReportRoutes tlsReports, WebAdminConfiguration webAdmin) {
        this.guard = new WebAdminRequestGuard(Optional.ofNullable(webAdmin.getHost()));
        if (webAdmin.isEnabled() && webAdmin.getHost() != null
            && !WebAdminExposureCheck.isLoopback(webAdmin.getHost().trim().toLowerCase(Locale.ROOT))
            && webAdmin.getJwtPublicKey().isEmpty()) {
            // our server refuses to start so (WebAdminExposureCheck); a host James with the drop-in jar is told
            LoggerFactory.getLogger(RoutingRoutes.class).warn("james-routing: webadmin listens on {} without authentication (JWT): "
                + "anyone who reaches it can change routes and read mail. Set host=127.0.0.1 or jwt.enabled=true in webadmin.properties",
                webAdmin.getHost());
        }
        this.resources = List.of(table, explain, dnsCache, mtaSts, status, smartHost, doctor, tlsReports);
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        guard.install(service, BASE);
        resources.forEach(resource -> resource.define(service));
    }
}
