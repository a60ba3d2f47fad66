package org.jamesrouting.ops;

import org.jamesrouting.engine.OutboundEngine;
import org.jamesrouting.engine.Running;
import org.jamesrouting.nexthop.DeliveryPlan;
import org.jamesrouting.nexthop.HopGroup;
import org.jamesrouting.nexthop.NextHops;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.Domain;
import org.jamesrouting.dns.DnsPins;
import org.jamesrouting.local.LocalDomains;
import org.jamesrouting.route.Batching;
import org.jamesrouting.route.RetryRule;
import org.jamesrouting.schedule.DestinationLimits;
import org.jamesrouting.route.RouteJson;
import org.jamesrouting.route.MessageContext;
import org.jamesrouting.route.RouteMatch;
import org.jamesrouting.route.RoutingTable;
import org.jamesrouting.route.RoutingAddress;
import org.jamesrouting.route.RoutingTables;

/**
 * "Which way would mail to this address go, and why?" — like {@code exim -bt}, on the live
 * tables and DNS: local or not, the matching route, and the hosts that would be tried, in
 * order, with their addresses.
 */
public final class RouteExplainer {
    public record Hop(String host, int port, List<String> addresses, String via, String note, String tls) {
    }

    /** @param skipped routes before the one taken whose pattern matched but whose conditions did not hold, with why */
    /** @param mtaSts for direct MX delivery, the recipient domain's MTA-STS policy in force (or why none is) */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    /**
     * @param retry when mail for the address is tried again and given up on: the route's own rule, else the mailet's
     * @param rate the pace of its destination and where it is set, when shaped
     * @param batching recipients per transaction and messages per connection, and where they are set
     */
    public record Explanation(String address, boolean local, RouteJson route, String reason, List<Hop> hops, List<String> skipped,
                              String mtaSts, String retry, String rate, String batching) {
        Explanation(String address, boolean local, RouteJson route, String reason, List<Hop> hops, List<String> skipped, String mtaSts) {
            this(address, local, route, reason, hops, skipped, mtaSts, null, null, null);
        }
    }

    private final LocalDomains localDomains;
    private final RoutingTables tables;
    private final OutboundEngine engine;
    private final DnsPins pins;

    public RouteExplainer(LocalDomains localDomains, RoutingTables tables, OutboundEngine engine, DnsPins pins) {
        this.localDomains = localDomains;
        this.tables = tables;
        this.engine = engine;
        this.pins = pins;
    }

    /**
     * @throws IllegalArgumentException when the address is not a mail address
     */
    public Explanation explain(String text) throws LocalDomains.LookupException {
        return explain(text, MessageContext.UNKNOWN);
    }

    /**
     * @param context the sender, AUTH user and headers to decide route conditions with (unknown
     *        parts match no condition)
     * @throws IllegalArgumentException when the address is not a mail address
     */
    public Explanation explain(String text, MessageContext context) throws LocalDomains.LookupException {
        RoutingAddress address = RoutingAddress.parse(text);
        if (localDomains.isLocal(Domain.of(address.domain()))) {
            return new Explanation(address.asString(), true, null,
                address.domain() + " is a local domain: delivered to the mailbox here, never routed", List.of(), List.of(), null);
        }
        RoutingTable.Explanation explained = tables.current().explain(address, context);
        Optional<RouteMatch> match = explained.match();
        Optional<Running> active = engine.running();
        if (active.isEmpty()) {
            return new Explanation(address.asString(), false, match.map(m -> RouteJson.of(m.route(), false)).orElse(null),
                match.map(RouteMatch::reason).orElse("no route matches") + "; the outbound router is not running", List.of(),
                explained.skipped(), null);
        }
        DeliveryPlan plan = active.get().planner().plan(address, match);
        NextHops nextHops = new NextHops(active.get().dns(), pins, active.get().configuration().mxPort(), active.get().mtaSts());
        List<Hop> hops = new ArrayList<>();
        String mtaStsNote = null;
        for (HopGroup group : plan.groups()) {
            NextHops.Expansion expansion = nextHops.expand(group);
            if (expansion instanceof NextHops.Hosts hosts) {
                mtaStsNote = hosts.mtaStsNote().orElse(mtaStsNote);
                hosts.hosts().forEach(host -> hops.add(hop(host)));
            } else {
                String why = expansion instanceof NextHops.NoMail noMail ? noMail.explanation()
                    : ((NextHops.LookupFailed) expansion).reason() + " (deferred)";
                hops.add(new Hop(group.mxDomain().orElseThrow(), active.get().configuration().mxPort(), List.of(), group.via().asString(),
                    why, group.tls().explain(group.mxDomain().get(), group.mxDomain(), Optional.empty())));
            }
        }
        RetryRule rule = match.map(m -> m.route().retry()).orElse(RetryRule.NONE);
        String retry = active.get().configuration().retries().with(rule).describe()
            + (rule.isEmpty() ? " (the OutboundRouter's <retrySchedule>, <retryOn>, <maxAge>, <delayWarning>)"
                : " (route " + match.get().route().id() + ": " + rule.describe() + ")");
        String destination = DestinationLimits.destinationOf(plan);
        String rate = match.flatMap(m -> m.route().rate()).map(shaped -> shaped.asString() + " (route " + match.get().route().id() + ")")
            .or(() -> active.get().policy().pace(destination).map(shaped -> shaped.rate().asString() + " (<destinationRates>: "
                + (shaped.key().equals(destination) ? destination
                    : shaped.key() + ", the MX set of " + destination + " by its best MX " + active.get().policy().bestMx(destination)
                        .orElse("?")) + ")"))
            .orElse(null);
        Batching own = match.map(m -> m.route().batching()).orElse(Batching.NONE);
        String batching = own.orElse(active.get().configuration().batching()).asOptions()
            + (own.isEmpty() ? " (the OutboundRouter's <recipientsPerMessage>, <messagesPerConnection>)"
                : " (route " + match.get().route().id() + ": " + own.asOptions() + ")");
        return new Explanation(address.asString(), false, match.map(m -> RouteJson.of(m.route(), false)).orElse(null), plan.reason(), hops,
            explained.skipped(), mtaStsNote, retry, rate, batching);
    }

    /** A host of the expansion as explain shows it: its addresses, why it is there, DANE's word, why it is skipped. */
    private static Hop hop(NextHops.Host host) {
        String note = host.note();
        boolean refusedByDane = host.skip().filter(NextHops.Skip::byDane).isPresent();
        if (!host.daneReason().isEmpty() && !refusedByDane) {
            note += "; " + host.daneReason() + (host.dane().isEmpty() ? "" : " (" + String.join(", ",
                host.dane().stream().map(org.jamesrouting.dns.TlsaLookup.Tlsa::describe).toList()) + ")");
        }
        if (host.skip().isPresent()) {
            NextHops.Skip skip = host.skip().get();
            note += skip.byDns() ? "; " + skip.brief() : "; skipped: " + skip.reason();
        }
        return new Hop(host.name(), host.port(), host.addresses().stream().map(InetAddress::getHostAddress).toList(),
            host.group().via().asString(), note, host.describeTls());
    }

}
