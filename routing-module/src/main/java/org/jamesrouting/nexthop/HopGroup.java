package org.jamesrouting.nexthop;

import java.util.Objects;
import java.util.Optional;

import org.jamesrouting.route.RelaySpec;
import org.jamesrouting.route.TlsMode;

/**
 * One step of a delivery plan: either relay hosts (a route, the smart host, the backup), or
 * "resolve the MX of this domain and deliver there". {@code mtaSts}: the domain's MTA-STS policy
 * applies (an MX group whose TLS level is the default, not a line of {@code <mxTlsPolicy>},
 * which is the operator's word for that domain).
 */
public record HopGroup(Via via, Optional<RelaySpec> relay, Optional<String> mxDomain, TlsMode tls, String label, boolean mtaSts) {
    public HopGroup {
        Objects.requireNonNull(via);
        if (relay.isPresent() == mxDomain.isPresent()) {
            throw new IllegalArgumentException("a hop group is either relay hosts or an MX domain");
        }
        if (mtaSts && mxDomain.isEmpty()) {
            throw new IllegalArgumentException("MTA-STS is for MX delivery");
        }
    }

    /** The name of its destination in limits and statistics: {@code mx:<domain>}, or the label (route x, smart host, ...). */
    public String destination() {
        return mxDomain.map(domain -> "mx:" + domain).orElse(label);
    }

    public static HopGroup relay(Via via, RelaySpec relay, String label) {
        return new HopGroup(via, Optional.of(relay), Optional.empty(), relay.tls(), label, false);
    }

    public static HopGroup mx(String domain, TlsMode tls) {
        return mx(domain, tls, true);
    }

    public static HopGroup mx(String domain, TlsMode tls, boolean mtaSts) {
        return new HopGroup(Via.MX, Optional.empty(), Optional.of(domain), tls, "MX of " + domain, mtaSts);
    }
}
