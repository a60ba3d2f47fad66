package org.jamesrouting.webadmin;

import java.util.Locale;
import java.util.Optional;

import org.apache.james.webadmin.utils.ErrorResponder;

import com.google.common.net.HostAndPort;
import com.google.common.net.InetAddresses;

import spark.Request;
import spark.Service;

/**
 * What a web page in an administrator's browser could make webadmin do, refused:
 * <ul>
 * <li>a request without an {@code Authorization} header whose {@code Host} header is a name
 * other than {@code localhost} or webadmin's configured host (DNS rebinding: a page of
 * {@code evil.example} whose name now resolves to 127.0.0.1 sends {@code Host: evil.example});
 * IP literals are fine, a rebinding page cannot send them; with a token any name is (JWT
 * administration of a cluster node by its name);</li>
 * <li>a state-changing call of {@code /routing} (POST, PUT, PATCH, DELETE) that carries neither
 * the JSON content type nor an {@code Authorization} header: a plain HTML form or a "simple"
 * cross-site request cannot set either without the browser asking first.</li>
 * </ul>
 * Answers are James's JSON errors (403, 415).
 */
public final class WebAdminRequestGuard {
    private final Optional<String> configuredHost;

    public WebAdminRequestGuard(Optional<String> configuredHost) {
        this.configuredHost = configuredHost.map(host -> host.trim().toLowerCase(Locale.ROOT));
    }

    public void install(Service service, String routingBase) {
        service.before((request, response) -> {
            if (request.headers("Authorization") != null) {
                // a token is the proof: a rebinding page has none (a remote admin with JWT may use any name)
                return;
            }
            Optional<String> refusal = hostRefusal(request.headers("Host"));
            if (refusal.isPresent()) {
                throw ErrorResponder.builder().statusCode(403).type(ErrorResponder.ErrorType.INVALID_ARGUMENT)
                    .message(refusal.get()).haltError();
            }
        });
        service.before(routingBase + "/*", (request, response) -> {
            if (!stateChangingWithoutProof(request)) {
                return;
            }
            throw ErrorResponder.builder().statusCode(415).type(ErrorResponder.ErrorType.INVALID_ARGUMENT)
                .message(request.requestMethod() + " " + request.pathInfo() + " needs 'Content-Type: application/json' (or an "
                    + "Authorization header): a web page cannot send that without asking, so it cannot make this call for you")
                .haltError();
        });
    }

    /** Empty when the Host header names this server. */
    Optional<String> hostRefusal(String hostHeader) {
        if (hostHeader == null || hostHeader.isBlank()) {
            return Optional.empty();
        }
        String host;
        try {
            host = HostAndPort.fromString(hostHeader.trim()).getHost().toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return Optional.of("Host header '" + hostHeader + "' is not a host");
        }
        if (host.equals("localhost") || InetAddresses.isInetAddress(host) || configuredHost.filter(host::equals).isPresent()) {
            return Optional.empty();
        }
        return Optional.of("Host header '" + hostHeader + "' is not this server's address (a page of another site whose name "
            + "points here?): refused; use http://127.0.0.1:<port> or the configured host");
    }

    private static boolean stateChangingWithoutProof(Request request) {
        String method = request.requestMethod().toUpperCase(Locale.ROOT);
        if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) {
            return false;
        }
        String type = Optional.ofNullable(request.contentType()).orElse("").toLowerCase(Locale.ROOT);
        return !type.startsWith("application/json") && request.headers("Authorization") == null;
    }
}
