package org.jamesrouting.webadmin;

import static org.jamesrouting.webadmin.JsonBodies.objectBody;
import static org.jamesrouting.webadmin.JsonErrors.error;
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
import org.jamesrouting.dns.AddressLookup;
import org.jamesrouting.dns.DnsPins;
import org.jamesrouting.dns.DomainNameCache;
import org.jamesrouting.dns.MxLookup;
import org.jamesrouting.route.MailHost;
import org.jamesrouting.store.StoreUnavailableException;

import com.fasterxml.jackson.databind.JsonNode;

import spark.Request;
import spark.Response;
import spark.Service;

/**
 * The domain name cache and its pins (part of {@link RoutingRoutes}):
 * <pre>
 * GET    /routing/dns-cache[?domain=d]    the domain name cache, pins first
 * DELETE /routing/dns-cache[/{domain}]    flush all, or one domain and its subdomains
 * PUT    /routing/dns-cache/{domain}      pin: {"hosts":["host[:port]"]} used instead of the domain's MX
 * DELETE /routing/dns-cache/{domain}/pin  remove the pin
 * </pre>
 */
public class DnsCacheRoutes implements Routes {
    static final String BASE = RoutingRoutes.BASE + "/dns-cache";

    public record CacheEntryView(String type, String name, String answer, String expires) {
    }

    private final DomainNameCache cache;
    private final DnsPins pins;
    private final JsonTransformer jsonTransformer;

    @Inject
    public DnsCacheRoutes(DomainNameCache cache, DnsPins pins, JsonTransformer jsonTransformer) {
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
        service.get(BASE, this::list, jsonTransformer);
        service.delete(BASE, (request, response) -> Map.of("flushed", cache.flush(entry -> true)), jsonTransformer);
        service.delete(BASE + "/:domain", (request, response) -> {
            String domain = request.params("domain").toLowerCase(Locale.ROOT);
            return Map.of("flushed", cache.flush(entry -> entry.key().name().equals(domain) || entry.key().name().endsWith("." + domain)));
        }, jsonTransformer);
        service.put(BASE + "/:domain", this::pin, jsonTransformer);
        service.delete(BASE + "/:domain/pin", this::unpin);
    }

    private Object list(Request request, Response response) {
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

    private Object unpin(Request request, Response response) {
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
}
