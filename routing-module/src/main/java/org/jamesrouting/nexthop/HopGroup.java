package org.jamesrouting.nexthop;

import java.util.Objects;
import java.util.Optional;

import org.jamesrouting.route.RelaySpec;
import org.jamesrouting.route.SourceIdentity;
import org.jamesrouting.route.TlsMode;

/**
 * One step of a delivery plan: either relay hosts (a route, the smart host, the backup), or
 * "resolve the MX of this domain and deliver there". {@code mtaSts}: the domain's MTA-STS policy
 * applies (an MX group whose TLS level is the default, not a line of {@code <mxTlsPolicy>} or a
 * route's {@code tls=}, which are the operator's word for that domain). {@code destination}: its
 * name in limits, statistics, holds and rates ({@code route <id>}, {@code smart host},
 * {@code mx:<domain>}); {@code identity}: the local address and EHLO name its connections use.
 */
public record HopGroup(Via via, Optional<RelaySpec> relay, Optional<String> mxDomain, TlsMode tls, String label, boolean mtaSts,
                       String destination, SourceIdentity identity) {
    public HopGroup {
        Objects.requireNonNull(via);
        Objects.requireNonNull(destination);
        Objects.requireNonNull(identity);
        if (relay.isPresent() == mxDomain.isPresent()) {
            throw new IllegalArgumentException("a hop group is either relay hosts or an MX domain");
        }
        if (mtaSts && mxDomain.isEmpty()) {
            throw new IllegalArgumentException("MTA-STS is for MX delivery");
        }
    }

    public static HopGroup relay(Via via, RelaySpec relay, String label) {
        return new HopGroup(via, Optional.of(relay), Optional.empty(), relay.tls(), label, false, label, relay.identity());
    }

    public static HopGroup mx(String domain, TlsMode tls) {
        return mx(domain, tls, true);
    }

    public static HopGroup mx(String domain, TlsMode tls, boolean mtaSts) {
        return new HopGroup(Via.MX, Optional.empty(), Optional.of(domain), tls, "MX of " + domain, mtaSts, "mx:" + domain,
            SourceIdentity.DEFAULT);
    }

    /** The same hops, said to be there for another reason ({@code via}, {@code label}), from the route's identity when it has one. */
    HopGroup as(Via via, String label, SourceIdentity identity) {
        return new HopGroup(via, relay, mxDomain, tls, label, mtaSts, destination, identity.isDefault() ? this.identity : identity);
    }
}
