package org.jamesrouting.nexthop;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.jamesrouting.route.RelaySpec;
import org.jamesrouting.route.Route;
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
        if (route.isPresent() && !route.get().route().nextHop().isHosts()) {
            return planFor(recipient, route.get());
        }
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
            groups.add(directMx(recipient.domain()));
            reason.append("; no smart host: direct delivery to the MX of ").append(recipient.domain());
        } else if (smarthost.isPresent()) {
            reason.append(route.isPresent() ? "; if its hosts cannot take it now: the smart host" : "; the smart host")
                .append(backup.isPresent() ? ", then its backup" : "");
        }
        return new DeliveryPlan(groups, reason.toString());
    }

    /** The recipient domain's MX, at the TLS level {@code <mxTlsPolicy>} gives it (MTA-STS unless a line of it names the domain). */
    private HopGroup directMx(String domain) {
        return HopGroup.mx(domain, mxTls.levelFor(domain), mxTls.overrideFor(domain).isEmpty());
    }

    /** The route gives its own TLS level (not the default): the operator's word for the MX, as a line of {@code <mxTlsPolicy>}. */
    private static boolean ownTls(Route route) {
        return !route.tls().equals(Route.DEFAULT_TLS);
    }

    /** A domain's MX for a route: at the route's own TLS level (no MTA-STS then), else as direct delivery would go. */
    private HopGroup routeMx(String domain, Route route) {
        return ownTls(route) ? HopGroup.mx(domain, route.tls(), false) : directMx(domain);
    }

    /**
     * A route whose next hop is not its own hosts. {@code mx} and {@code mx:<domain>}: that MX
     * only, no smart host after it (such routes exist to bypass it: the smart host may not relay
     * for that partner); the route's {@code tls=}, when not the default, is the level (as a line
     * of {@code <mxTlsPolicy>}: no MTA-STS then), and for another domain's MX MTA-STS never
     * applies (it is not the recipient domain's MX). {@code default}: the hops the mail would
     * have without the route — the smart host and backup with their own TLS, else the recipient's
     * MX at the route's {@code tls=} when it gives one — from the route's identity.
     */
    private DeliveryPlan planFor(RoutingAddress recipient, RouteMatch match) {
        Route route = match.route();
        String id = "route " + route.id();
        boolean ownTls = ownTls(route);
        List<HopGroup> groups = new ArrayList<>();
        StringBuilder reason = new StringBuilder(match.reason());
        switch (route.nextHop().kind()) {
            case MX -> {
                HopGroup mx = routeMx(recipient.domain(), route);
                groups.add(mx.as(Via.ROUTE, id + ": MX of " + recipient.domain(), route.identity()));
                reason.append("; direct delivery to the MX of ").append(recipient.domain()).append(" (no smart host after it)");
            }
            case MX_OF -> {
                String domain = route.nextHop().mxDomain().orElseThrow();
                groups.add(HopGroup.mx(domain, route.tls(), false).as(Via.ROUTE, id + ": MX of " + domain, route.identity()));
                reason.append("; to the MX of ").append(domain).append(" (no smart host after it)");
            }
            default -> {
                if (smarthost.isPresent()) {
                    groups.add(HopGroup.relay(Via.SMARTHOST, smarthost.get(), "smart host").as(Via.SMARTHOST, "smart host, for " + id,
                        route.identity()));
                    backup.ifPresent(secondary -> groups.add(HopGroup.relay(Via.BACKUP, secondary, "backup smart host")
                        .as(Via.BACKUP, "backup smart host, for " + id, route.identity())));
                    reason.append("; the default next hop: the smart host").append(backup.isPresent() ? ", then its backup" : "")
                        .append(ownTls ? " (with its own TLS; the route's tls= is for MX delivery)" : "");
                } else {
                    HopGroup mx = routeMx(recipient.domain(), route);
                    groups.add(mx.as(Via.MX, "MX of " + recipient.domain() + ", for " + id, route.identity()));
                    reason.append("; the default next hop: direct delivery to the MX of ").append(recipient.domain());
                }
            }
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
