package org.jamesrouting.route;

import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A route as JSON, for webadmin and the dynamic store:
 * {@code {"id","pattern","hosts":["host:port"],"tls","tlsMatch","username","password","enabled","comment",
 * "sender","authUser","headers","retry":"5m,15m,1h","maxAge":"1d","retryOn":{"connect":"1m"},"rate":"60/m",
 * "recipientsPerMessage":50,"messagesPerConnection":20}}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = false)
public class RouteJson {
    public String id;
    public String pattern;
    public List<String> hosts;
    public String tls;
    /** For tls=secure: the names the certificate must carry ({@code .example.com}: any name below). */
    public List<String> tlsMatch;
    public String username;
    public String password;
    public Boolean enabled;
    public String comment;
    /** Conditions: a pattern for the envelope sender ({@code <>}: the null sender). */
    public String sender;
    /** A pattern for the SMTP AUTH user. */
    public String authUser;
    /** {@code Name=value} or {@code Name~pattern} each. */
    public List<String> headers;
    /** The route's own retry delays, {@code "5m,15m,1h"} (else the mailet's {@code <retrySchedule>}). */
    public String retry;
    /** How long the route's mail is tried, {@code "1d"} (else the mailet's {@code <maxAge>}). */
    public String maxAge;
    /** The route's own delays by kind of deferral, {@code {"connect":"1m,5m","4.2.2":"4h"}} (else the mailet's {@code <retryOn>}). */
    public java.util.Map<String, String> retryOn;
    /** How fast its mail may go, {@code "60/m"}. */
    public String rate;
    /** At most this many recipients in one SMTP transaction (else the mailet's {@code <recipientsPerMessage>}). */
    public Integer recipientsPerMessage;
    /** At most this many messages on one connection (else the mailet's {@code <messagesPerConnection>}). */
    public Integer messagesPerConnection;
    /** {@code "random"}: the hosts in a random order for each delivery (weights are written with the hosts, {@code "a.test*3"}). */
    public String order;
    /** {@code "rcpt"}: our SMTP server asks the route's server about each recipient at RCPT time. */
    public String verify;
    /** Instead of {@code hosts}: {@code "mx"}, {@code "mx:<domain>"} or {@code "default"} ({@link NextHop}). */
    public String nextHop;
    /** The local address its connections leave from, {@code "192.0.2.25"} (else the server's default). */
    public String bind;
    /** The EHLO name its connections say, {@code "news.example.com"} (else the OutboundRouter's {@code <heloName>}). */
    public String helo;

    public static RouteJson of(Route route, boolean withPassword) {
        RouteJson json = new RouteJson();
        json.id = route.id();
        json.pattern = route.pattern().asString();
        json.hosts = route.nextHop().isHosts() ? route.nextHop().hostTexts() : null;
        json.order = route.nextHop().choice().orderWord().orElse(null);
        json.nextHop = route.nextHop().isHosts() ? null : route.nextHop().asString();
        json.bind = route.identity().bindText().orElse(null);
        json.verify = route.verifyRecipients() ? "rcpt" : null;
        json.helo = route.identity().helo().orElse(null);
        json.tls = route.tls().asString();
        json.tlsMatch = route.tls().match().isEmpty() ? null : route.tls().match();
        json.username = route.auth().map(RelayAuth::username).orElse(null);
        json.password = withPassword ? route.auth().map(RelayAuth::password).orElse(null) : null;
        json.enabled = route.enabled();
        json.comment = route.comment();
        json.sender = route.conditions().sender().orElse(null);
        json.authUser = route.conditions().authUser().orElse(null);
        json.headers = route.conditions().headers().isEmpty() ? null : route.conditions().headers();
        json.retry = route.retry().delaysText().orElse(null);
        json.maxAge = route.retry().maxAgeText().orElse(null);
        json.retryOn = route.retry().byError().isEmpty() ? null : route.retry().byError().texts();
        json.rate = route.rate().map(Rate::asString).orElse(null);
        json.recipientsPerMessage = route.batching().recipientsPerMessage().isPresent()
            ? route.batching().recipientsPerMessage().getAsInt() : null;
        json.messagesPerConnection = route.batching().messagesPerConnection().isPresent()
            ? route.batching().messagesPerConnection().getAsInt() : null;
        return json;
    }

    /**
     * @throws IllegalArgumentException naming the field and the problem
     */
    public Route toRoute(String id, Route.Source source) {
        if (pattern == null) {
            throw new IllegalArgumentException("'pattern' is missing");
        }
        if (nextHop != null && hosts != null) {
            throw new IllegalArgumentException("give either 'hosts' or 'nextHop' (\"mx\", \"mx:<domain>\", \"default\"), not both");
        }
        if (nextHop == null && (hosts == null || hosts.isEmpty())) {
            throw new IllegalArgumentException("'hosts' is missing: give at least one \"host[:port]\" (or 'nextHop': \"mx\", "
                + "\"mx:<domain>\", \"default\")");
        }
        Route.Builder builder = Route.builder().id(id).source(source);
        try {
            builder.pattern(AddressPattern.parse(pattern));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad pattern: " + e.getMessage());
        }
        NextHop hop;
        if (nextHop != null) {
            hop = NextHop.kindOf(nextHop).orElseThrow(() -> new IllegalArgumentException("nextHop: '" + nextHop
                + "' is not one of \"mx\", \"mx:<domain>\", \"default\" (a route's own hosts go in 'hosts')"));
        } else {
            if (hosts.stream().anyMatch(java.util.Objects::isNull)) {
                throw new IllegalArgumentException("bad host: null");
            }
            try {
                hop = NextHop.parseHosts(String.join(",", hosts));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad host: " + e.getMessage());
            }
        }
        builder.nextHop(order == null ? hop : hop.withOrder(order));
        builder.identity(SourceIdentity.parse(Optional.ofNullable(bind), Optional.ofNullable(helo)));
        builder.verifyRecipients(verify != null && StaticRoutesParser.parseVerify(verify));
        TlsMode mode = tls == null ? Route.DEFAULT_TLS : TlsMode.parse(tls);
        if (tlsMatch != null && !tlsMatch.isEmpty()) {
            mode = mode.withMatch(String.join(",", tlsMatch));
        }
        builder.tls(mode);
        if ((username == null) != (password == null)) {
            throw new IllegalArgumentException(username == null ? "'password' needs 'username'" : "'username' needs 'password'");
        }
        if (username != null) {
            builder.auth(Optional.of(new RelayAuth(username, password)));
        }
        builder.enabled(enabled == null || enabled);
        builder.comment(comment);
        builder.conditions(RouteConditions.of(Optional.ofNullable(sender), Optional.ofNullable(authUser), headers));
        builder.retry(RetryRule.parse(Optional.ofNullable(retry), Optional.ofNullable(maxAge),
            retryOn == null ? java.util.Map.of() : retryOn));
        builder.rate(Optional.ofNullable(rate).map(Rate::parse));
        builder.batching(new Batching(
            recipientsPerMessage == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(recipientsPerMessage),
            messagesPerConnection == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(messagesPerConnection)));
        return builder.build();
    }
}
