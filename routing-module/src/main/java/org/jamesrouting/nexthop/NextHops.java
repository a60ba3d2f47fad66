package org.jamesrouting.nexthop;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.jamesrouting.dns.AddressLookup;
import org.jamesrouting.dns.DnsPins;
import org.jamesrouting.dns.MailDns;
import org.jamesrouting.dns.MxLookup;
import org.jamesrouting.dns.TlsaLookup;
import org.jamesrouting.mtasts.MtaStsPolicies;
import org.jamesrouting.route.MailHost;
import org.jamesrouting.route.RelayAuth;
import org.jamesrouting.route.RelaySpec;
import org.jamesrouting.route.TlsMode;

/**
 * The one expansion of a hop group into the hosts and addresses to try, in order, with the TLS
 * each gets: a pinned domain's hosts, else its MX hosts (each with its DANE and MTA-STS
 * decision, {@link MxHostTls}), or a relay's hosts; then each name's A/AAAA addresses.
 * Delivery connects to them, {@code explain} shows them, {@code doctor} probes them: the three
 * cannot drift apart. DNS lookups only: counting and logging are the caller's.
 */
public final class NextHops {
    /** What a group expands to. */
    public sealed interface Expansion {
    }

    /**
     * The hosts to try, in order; {@code fromMx}: they are the domain's MX hosts (not pinned, not
     * a relay); {@code mtaStsNote} says which MTA-STS policy applies then.
     */
    public record Hosts(List<Host> hosts, boolean fromMx, Optional<String> mtaStsNote) implements Expansion {
        public Hosts {
            hosts = List.copyOf(hosts);
        }
    }

    /** The domain takes no mail (null MX, NXDOMAIN): every recipient fails for good. */
    public record NoMail(String status, String diagnostic, String shortReason, String explanation) implements Expansion {
    }

    /** The MX lookup failed for now: every recipient waits. */
    public record LookupFailed(String status, String reason) implements Expansion {
    }

    /**
     * Why a host is not tried: refused by {@code DANE} or an {@code MTA-STS enforce} policy
     * ({@code reason}: the refusal, e.g. "not in the MTA-STS policy of ..."), or by {@code DNS}
     * (its name has no usable address). {@code brief}: the reason as the log and explain say it.
     */
    public record Skip(String status, String reason, String by, String brief) {
        static final String DNS = "DNS";
        static final String DANE = "DANE";

        Skip(String status, String reason, String by) {
            this(status, reason, by, reason);
        }

        public boolean byDns() {
            return by.equals(DNS);
        }

        public boolean byDane() {
            return by.equals(DANE);
        }
    }

    /**
     * One host: its name (or IP literal), port, why it is here ({@code note}), the TLS it gets,
     * its credentials, the MTA-STS policy it is under and its DANE records when they apply, and
     * either its addresses or why it is skipped.
     */
    public record Host(HopGroup group, String name, int port, String note, TlsMode tls, Optional<RelayAuth> auth,
                       Optional<MtaStsPolicies.Finding> sts, List<TlsaLookup.Tlsa> dane, String daneReason, List<InetAddress> addresses,
                       Optional<Skip> skip) {
        public Host {
            dane = List.copyOf(dane);
            addresses = List.copyOf(addresses);
        }

        /** The names its certificate must carry: for DANE-TA the MX host or the recipient domain (RFC 7672 §3.2.3). */
        public List<String> certificateNames() {
            if (!dane.isEmpty()) {
                return group.mxDomain().map(domain -> List.of(name, domain)).orElse(List.of(name));
            }
            return tls.certificateNames(name, group.mxDomain());
        }

        /** What the TLS of this host means, in words (explain, doctor). */
        public String describeTls() {
            return tls.explain(name, group.mxDomain(), auth.map(RelayAuth::username));
        }
    }

    private final MailDns dns;
    private final DnsPins pins;
    private final int mxPort;
    private final Optional<MtaStsPolicies> mtaSts;
    private final Optional<java.util.function.DoubleSupplier> draws;

    /** For explain and doctor: a relay's hosts as written, whatever their order option. */
    public NextHops(MailDns dns, DnsPins pins, int mxPort, Optional<MtaStsPolicies> mtaSts) {
        this(dns, pins, mxPort, mtaSts, Optional.empty());
    }

    /**
     * @param mtaSts the MTA-STS policies of recipient domains; empty when MTA-STS is off
     * @param draws uniform draws in (0, 1] that put a relay's hosts in this delivery's order
     *     ({@link org.jamesrouting.route.HostChoice}); empty: as written
     */
    public NextHops(MailDns dns, DnsPins pins, int mxPort, Optional<MtaStsPolicies> mtaSts, Optional<java.util.function.DoubleSupplier> draws) {
        this.dns = dns;
        this.pins = pins;
        this.mxPort = mxPort;
        this.mtaSts = mtaSts;
        this.draws = draws;
    }

    /**
     * The lowest-preference MX host of a domain (the one an MX set is matched against), from the
     * DNS cache; empty for a pinned domain (its mail goes to the pinned hosts), one without MX
     * hosts, or when the lookup fails.
     */
    public Optional<String> bestMxHost(String domain) {
        if (pins.hostsFor(domain).isPresent()) {
            return Optional.empty();
        }
        if (dns.mx(domain) instanceof MxLookup.Hosts found) {
            return found.hosts().stream().min(java.util.Comparator.comparingInt(MxLookup.MxHost::preference)).map(MxLookup.MxHost::host);
        }
        return Optional.empty();
    }

    public Expansion expand(HopGroup group) {
        if (group.relay().isPresent()) {
            RelaySpec relay = group.relay().get();
            List<MailHost> ordered = draws.map(uniform -> relay.choice().arrange(relay.hosts(), uniform)).orElse(relay.hosts());
            String note = group.label() + (relay.choice().varies() ? ", " + relay.choice().describe() : "");
            return new Hosts(ordered.stream().map(host -> host(group, host, note, relay.auth())).toList(), false, Optional.empty());
        }
        String domain = group.mxDomain().orElseThrow();
        Optional<List<MailHost>> pinned = pins.hostsFor(domain);
        if (pinned.isPresent()) {
            return new Hosts(pinned.get().stream().map(host -> host(group, host, "pinned in the domain name cache", Optional.empty())).toList(),
                false, Optional.empty());
        }
        MxLookup mx = dns.mx(domain);
        if (mx instanceof MxLookup.NullMx) {
            return new NoMail("5.1.10", "the domain " + domain + " accepts no mail (null MX, RFC 7505)", "null MX",
                "null MX: the domain accepts no mail (bounced)");
        }
        if (mx instanceof MxLookup.NoSuchDomain) {
            return new NoMail("5.1.2", "the domain " + domain + " does not exist (NXDOMAIN)", "NXDOMAIN",
                "NXDOMAIN: the domain does not exist (bounced)");
        }
        if (mx instanceof MxLookup.Failure failure) {
            return new LookupFailed("4.4.3", failure.reason());
        }
        Optional<MtaStsPolicies.Finding> finding = Optional.empty();
        String note;
        if (!group.mtaSts()) {
            note = "not consulted: <mxTlsPolicy> gives " + domain + " its own level";
        } else if (mtaSts.isEmpty()) {
            note = "off (<mtaSts>false</mtaSts>)";
        } else {
            finding = Optional.of(mtaSts.get().policyFor(domain));
            note = finding.get().note();
        }
        Optional<MtaStsPolicies.Finding> sts = finding.filter(found -> found.policy().isPresent());
        MxLookup.Hosts found = (MxLookup.Hosts) mx;
        List<Host> hosts = new ArrayList<>();
        for (MxLookup.MxHost mxHost : found.hosts()) {
            MxHostTls decision = MxHostTls.decide(dns, group.tls(), domain, mxHost.host(), found.authenticated(), mxPort, sts);
            String why = "MX preference " + mxHost.preference();
            if (!decision.allowed()) {
                hosts.add(new Host(group, mxHost.host(), mxPort, why, decision.tls(), Optional.empty(), Optional.empty(), List.of(),
                    decision.daneReason(), List.of(), Optional.of(new Skip("4.7.5", decision.refusal(), decision.refusedBy()))));
                continue;
            }
            hosts.add(resolve(group, mxHost.host(), mxPort, why, decision.tls(), Optional.empty(),
                decision.underPolicy() ? sts : Optional.empty(), decision.dane(), decision.daneReason()));
        }
        return new Hosts(hosts, true, Optional.of(note));
    }

    private Host host(HopGroup group, MailHost host, String note, Optional<RelayAuth> auth) {
        if (host.isIpLiteral()) {
            return new Host(group, host.host(), host.port(), note, group.tls(), auth, Optional.empty(), List.of(), "",
                List.of(parseIp(host.host())), Optional.empty());
        }
        return resolve(group, host.host(), host.port(), note, group.tls(), auth, Optional.empty(), List.of(), "");
    }

    private Host resolve(HopGroup group, String name, int port, String note, TlsMode tls, Optional<RelayAuth> auth,
                         Optional<MtaStsPolicies.Finding> sts, List<TlsaLookup.Tlsa> dane, String daneReason) {
        AddressLookup lookup = dns.addresses(name);
        Optional<Skip> skip = Optional.empty();
        List<InetAddress> addresses = List.of();
        if (lookup instanceof AddressLookup.Found found) {
            addresses = found.addresses();
        } else if (lookup instanceof AddressLookup.Failure failure) {
            skip = Optional.of(new Skip("4.4.3", failure.reason(), Skip.DNS));
        } else {
            skip = Optional.of(new Skip("4.4.4", "the mail host " + name + " has no address (A/AAAA)", Skip.DNS, "no A/AAAA record"));
        }
        return new Host(group, name, port, note, tls, auth, sts, dane, daneReason, addresses, skip);
    }

    private static InetAddress parseIp(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
