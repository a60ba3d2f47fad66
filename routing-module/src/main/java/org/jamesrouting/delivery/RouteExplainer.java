package org.jamesrouting.delivery;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.Domain;
import org.jamesrouting.dns.AddressLookup;
import org.jamesrouting.dns.DnsPins;
import org.jamesrouting.dns.MailDns;
import org.jamesrouting.dns.MxLookup;
import org.jamesrouting.mtasts.MtaStsPolicies;
import org.jamesrouting.route.TlsMode;
import org.jamesrouting.local.LocalDomains;
import org.jamesrouting.route.MailHost;
import org.jamesrouting.route.RelayAuth;
import org.jamesrouting.route.RelaySpec;
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
    public record Explanation(String address, boolean local, RouteJson route, String reason, List<Hop> hops, List<String> skipped,
                              String mtaSts) {
    }

    private final LocalDomains localDomains;
    private final RoutingTables tables;
    private final RouterRuntime runtime;
    private final DnsPins pins;

    public RouteExplainer(LocalDomains localDomains, RoutingTables tables, RouterRuntime runtime, DnsPins pins) {
        this.localDomains = localDomains;
        this.tables = tables;
        this.runtime = runtime;
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
        Optional<RouterRuntime.Active> active = runtime.active();
        if (active.isEmpty()) {
            return new Explanation(address.asString(), false, match.map(m -> RouteJson.of(m.route(), false)).orElse(null),
                match.map(RouteMatch::reason).orElse("no route matches") + "; the outbound router is not running", List.of(),
                explained.skipped(), null);
        }
        DeliveryPlan plan = active.get().planner().plan(address, match);
        List<Hop> hops = new ArrayList<>();
        MailDns dns = active.get().dns();
        String mtaStsNote = null;
        for (HopGroup group : plan.groups()) {
            if (group.mxDomain().isPresent() && pins.hostsFor(group.mxDomain().get()).isPresent()) {
                for (MailHost host : pins.hostsFor(group.mxDomain().get()).get()) {
                    hops.add(hop(dns, host, group, "pinned in the domain name cache"));
                }
            } else if (group.mxDomain().isPresent()) {
                MxLookup mx = dns.mx(group.mxDomain().get());
                Optional<MtaStsPolicies.Finding> sts = Optional.empty();
                if (!group.mtaSts()) {
                    mtaStsNote = "not consulted: <mxTlsPolicy> gives " + group.mxDomain().get() + " its own level";
                } else if (active.get().mtaSts().isEmpty()) {
                    mtaStsNote = "off (<mtaSts>false</mtaSts>)";
                } else {
                    sts = Optional.of(active.get().mtaSts().get().policyFor(group.mxDomain().get()));
                    mtaStsNote = sts.get().note();
                }
                if (mx instanceof MxLookup.Hosts hosts) {
                    int mxPort = active.get().configuration().mxPort();
                    for (MxLookup.MxHost host : hosts.hosts()) {
                        MxHostTls hostTls = MxHostTls.decide(dns, group.tls(), group.mxDomain().get(), host.host(), hosts.authenticated(),
                            mxPort, sts);
                        String note = "MX preference " + host.preference();
                        if (!hostTls.daneReason().isEmpty() && !hostTls.refusedBy().equals("DANE")) {
                            note += "; " + hostTls.daneReason() + (hostTls.dane().isEmpty() ? "" : " (" + String.join(", ",
                                hostTls.dane().stream().map(org.jamesrouting.dns.TlsaLookup.Tlsa::describe).toList()) + ")");
                        }
                        if (!hostTls.allowed()) {
                            note += "; skipped: " + hostTls.refusal();
                        }
                        hops.add(hop(dns, host.host(), mxPort, group, hostTls.tls(), note));
                    }
                } else {
                    hops.add(new Hop(group.mxDomain().get(), active.get().configuration().mxPort(), List.of(), group.via().asString(),
                        describe(mx), tls(group, group.mxDomain().get())));
                }
            } else {
                for (MailHost host : group.relay().get().hosts()) {
                    hops.add(hop(dns, host, group, group.label()));
                }
            }
        }
        return new Explanation(address.asString(), false, match.map(m -> RouteJson.of(m.route(), false)).orElse(null), plan.reason(), hops,
            explained.skipped(), mtaStsNote);
    }

    /** An IP literal is its own address; a name is looked up (A/AAAA) as delivery would. */
    private static Hop hop(MailDns dns, MailHost host, HopGroup group, String note) {
        if (host.isIpLiteral()) {
            return new Hop(host.host(), host.port(), List.of(host.host()), group.via().asString(), note, tls(group, host.host()));
        }
        return hop(dns, host.host(), host.port(), group, group.tls(), note);
    }

    private static Hop hop(MailDns dns, String host, int port, HopGroup group, TlsMode tls, String note) {
        AddressLookup lookup = dns.addresses(host);
        List<String> addresses = new ArrayList<>();
        String detail = note;
        if (lookup instanceof AddressLookup.Found found) {
            for (InetAddress address : found.addresses()) {
                addresses.add(address.getHostAddress());
            }
        } else if (lookup instanceof AddressLookup.Failure failure) {
            detail = note + "; " + failure.reason();
        } else {
            detail = note + "; no A/AAAA record";
        }
        return new Hop(host, port, addresses, group.via().asString(), detail,
            tls.explain(host, group.mxDomain(), group.relay().flatMap(RelaySpec::auth).map(RelayAuth::username)));
    }

    private static String tls(HopGroup group, String host) {
        return group.tls().explain(host, group.mxDomain(), group.relay().flatMap(RelaySpec::auth).map(RelayAuth::username));
    }

    private static String describe(MxLookup mx) {
        if (mx instanceof MxLookup.NullMx) {
            return "null MX: the domain accepts no mail (bounced)";
        }
        if (mx instanceof MxLookup.NoSuchDomain) {
            return "NXDOMAIN: the domain does not exist (bounced)";
        }
        return ((MxLookup.Failure) mx).reason() + " (deferred)";
    }
}
