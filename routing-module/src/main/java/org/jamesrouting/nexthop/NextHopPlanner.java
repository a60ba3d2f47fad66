package org.jamesrouting.nexthop;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.jamesrouting.route.RelaySpec;
import org.jamesrouting.route.RouteMatch;
import org.jamesrouting.route.RoutingAddress;
import org.jamesrouting.route.TlsMode;

/**
 * Decides, without I/O, where mail for a recipient goes: a matching route's hosts, then the
 * smart host, then its backup; with no route and no smart host, the recipient domain's MX.
 * (Local recipients never get here: the mail flow keeps them local.)
 */
public final class NextHopPlanner {
    private final Optional<RelaySpec> smarthost;
    private final Optional<RelaySpec> backup;
    private final MxTlsPolicy mxTls;

    public NextHopPlanner(Optional<RelaySpec> smarthost, Optional<RelaySpec> backup, TlsMode mxTls) {
        this(smarthost, backup, MxTlsPolicy.of(mxTls));
    }

    public NextHopPlanner(Optional<RelaySpec> smarthost, Optional<RelaySpec> backup, MxTlsPolicy mxTls) {
        if (backup.isPresent() && smarthost.isEmpty()) {
            throw new IllegalArgumentException("a backup mail server needs a primary smart host");
        }
        this.smarthost = smarthost;
        this.backup = backup;
        this.mxTls = mxTls;
    }

    public DeliveryPlan plan(RoutingAddress recipient, Optional<RouteMatch> route) {
        List<HopGroup> groups = new ArrayList<>();
        StringBuilder reason = new StringBuilder();
        route.ifPresent(match -> {
            groups.add(HopGroup.relay(Via.ROUTE, RelaySpec.of(match.route()), "route " + match.route().id()));
            reason.append(match.reason());
        });
        smarthost.ifPresent(primary -> groups.add(HopGroup.relay(Via.SMARTHOST, primary, "smart host")));
        backup.ifPresent(secondary -> groups.add(HopGroup.relay(Via.BACKUP, secondary, "backup smart host")));
        if (route.isEmpty()) {
            reason.append("no route matches ").append(recipient.asString());
        }
        if (groups.isEmpty()) {
            groups.add(HopGroup.mx(recipient.domain(), mxTls.levelFor(recipient.domain()), mxTls.overrideFor(recipient.domain()).isEmpty()));
            reason.append("; no smart host: direct delivery to the MX of ").append(recipient.domain());
        } else if (smarthost.isPresent()) {
            reason.append(route.isPresent() ? "; if its hosts cannot take it now: the smart host" : "; the smart host")
                .append(backup.isPresent() ? ", then its backup" : "");
        }
        return new DeliveryPlan(groups, reason.toString());
    }

    public Optional<RelaySpec> smarthost() {
        return smarthost;
    }

    public Optional<RelaySpec> backup() {
        return backup;
    }
}
