package org.jamesrouting.ops;

import org.jamesrouting.engine.Running;
import org.jamesrouting.nexthop.DeliveryPlan;
import org.jamesrouting.nexthop.HopGroup;
import org.jamesrouting.nexthop.NextHops;
import org.jamesrouting.nexthop.Via;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.jamesrouting.dns.DnsPins;
import org.jamesrouting.route.RouteMatch;
import org.jamesrouting.route.RoutingAddress;
import org.jamesrouting.route.RoutingTables;
import org.jamesrouting.smtpclient.SmtpClientSettings;
import org.jamesrouting.smtpclient.SmtpConnection;
import org.jamesrouting.smtpclient.SmtpFailure;
import org.jamesrouting.smtpclient.TlsSession;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * "Mail will not send out": the FAQ as a command. Checks that each DNS server answers, which
 * way mail to an address goes, and for each host of that way: connect, EHLO, STARTTLS, AUTH,
 * as a delivery would (no mail is sent). Each step says in plain words what failed and what to
 * change. Without an address, the smart host and its backup are checked.
 */
public final class RouteDoctor {
    /** One step: ok or not, what was seen, and what to do about it. */
    public record Check(String step, boolean ok, String detail, String advice) {
    }

    public record Report(String address, boolean healthy, List<Check> checks) {
    }

    private static final int MAX_HOSTS = 6;

    private final RoutingTables tables;
    private final DnsPins pins;

    public RouteDoctor(RoutingTables tables, DnsPins pins) {
        this.tables = tables;
        this.pins = pins;
    }

    /**
     * @param isLocal whether a domain is one of James's (mail for it is not routed)
     */
    public Report examine(Running active, Optional<String> addressText, java.util.function.Predicate<String> isLocal) {
        List<Check> checks = new ArrayList<>();
        for (InetSocketAddress server : active.configuration().dnsServers()) {
            checks.add(dnsServer(server, active.configuration().dnsTimeout(), addressText.map(text -> RoutingAddress.parse(text).domain())));
        }
        List<HopGroup> groups = new ArrayList<>();
        if (addressText.isPresent()) {
            RoutingAddress address = RoutingAddress.parse(addressText.get());
            if (isLocal.test(address.domain())) {
                checks.add(new Check("route", true, address.domain() + " is a local domain: mail for it goes to the mailbox here", ""));
                return report(addressText, checks);
            }
            Optional<RouteMatch> match = tables.current().resolve(address);
            DeliveryPlan plan = active.planner().plan(address, match);
            checks.add(new Check("route", true, plan.reason(), ""));
            groups.addAll(plan.groups());
        } else {
            active.planner().smarthost().ifPresent(relay -> groups.add(HopGroup.relay(Via.SMARTHOST, relay, "smart host")));
            active.planner().backup().ifPresent(relay -> groups.add(HopGroup.relay(Via.BACKUP, relay, "backup smart host")));
            if (groups.isEmpty()) {
                checks.add(new Check("route", true, "no smart host: mail goes to each domain's MX; give an address to check one", ""));
            }
        }
        NextHops nextHops = new NextHops(active.dns(), pins, active.configuration().mxPort(), active.mtaSts());
        int probes = 0;
        for (HopGroup group : groups) {
            if (!bindable(group, checks)) {
                continue;
            }
            for (Target target : targets(nextHops, group, checks)) {
                if (probes++ >= MAX_HOSTS) {
                    return report(addressText, checks);
                }
                checks.add(smtp(active, target));
            }
        }
        return report(addressText, checks);
    }

    /** A route's own local address that this machine does not have (any more): a failed check, and its hosts are not probed. */
    private static boolean bindable(HopGroup group, List<Check> checks) {
        try {
            group.identity().checkBindable();
            return true;
        } catch (IllegalArgumentException e) {
            checks.add(new Check(group.label() + ": source address", false, e.getMessage(),
                "the route's bind= names an address this machine does not have: add it to an interface, or change the route"));
            return false;
        }
    }

    private static Report report(Optional<String> address, List<Check> checks) {
        return new Report(address.orElse(null), checks.stream().allMatch(Check::ok), List.copyOf(checks));
    }

    /** One address of one host of the expansion; {@code several}: its host has more than one address. */
    private record Target(NextHops.Host host, InetAddress address, boolean several) {
    }

    /** The addresses delivery would try, in its order ({@link NextHops}); why a host is not tried becomes a failed check. */
    private static List<Target> targets(NextHops nextHops, HopGroup group, List<Check> checks) {
        NextHops.Expansion expansion = nextHops.expand(group);
        if (!(expansion instanceof NextHops.Hosts hosts)) {
            String detail = expansion instanceof NextHops.NoMail noMail ? noMail.explanation() : ((NextHops.LookupFailed) expansion).reason();
            checks.add(new Check(group.label(), false, detail,
                "the domain has no usable MX: check its spelling, or the DNS servers (<dnsServers>)"));
            return List.of();
        }
        List<Target> targets = new ArrayList<>();
        for (NextHops.Host host : hosts.hosts()) {
            if (host.skip().isPresent()) {
                NextHops.Skip skip = host.skip().get();
                if (skip.byDns()) {
                    checks.add(new Check(group.label() + ": address of " + host.name(), false, skip.reason(),
                        "cannot resolve " + host.name() + ": check the host name in the route or <smarthost>, or the DNS servers"));
                } else {
                    checks.add(new Check(group.label() + ": " + host.name(), false, "not tried (" + skip.by() + "): " + skip.reason(),
                        skip.byDane()
                            ? "delivery skips this MX for its DANE records: the domain's TLSA records or DNSSEC need fixing by its owner"
                            : "delivery skips this MX for the domain's MTA-STS policy: the domain's owner must list it, or it must not be an MX"));
                }
                continue;
            }
            for (InetAddress address : host.addresses()) {
                targets.add(new Target(host, address, host.addresses().size() > 1));
            }
        }
        return targets;
    }

    private static Check smtp(Running active, Target target) {
        SmtpClientSettings settings = active.settings();
        NextHops.Host host = target.host();
        String where = host.name() + ":" + host.port();
        String step = host.group().label() + ": " + where + (target.several() ? " [" + target.address().getHostAddress() + "]" : "")
            + " (tls=" + host.tls().describe() + host.auth().map(auth -> ", auth=" + auth.username()).orElse("") + ")";
        InetSocketAddress socket = new InetSocketAddress(target.address(), host.port());
        long start = System.nanoTime();
        try (SmtpConnection connection = SmtpConnection.open(socket, host.name(), host.tls(), host.certificateNames(), host.dane(),
                settings.from(host.group().identity()))) {
            StringBuilder detail = new StringBuilder("greeting: ").append(connection.greeting().lines().findFirst().orElse(""))
                .append("; EHLO ok");
            detail.append("; ").append(TlsSession.describe(connection.tlsSession()))
                .append(connection.isTlsActive() || !connection.supports("STARTTLS") ? "" : " (STARTTLS offered)");
            if (host.auth().isPresent()) {
                connection.authenticate(host.auth().get(), host.tls());
                detail.append("; AUTH ok as ").append(host.auth().get().username());
            }
            detail.append("; ").append(Duration.ofNanos(System.nanoTime() - start).toMillis()).append(" ms");
            return new Check(step, true, detail.toString(), "");
        } catch (SmtpFailure failure) {
            return new Check(step, false, failure.getMessage(), advice(failure, where, active));
        } catch (IOException e) {
            return new Check(step, false, e.toString(), "the connection broke: try again; if it keeps failing, the server or a firewall cuts it");
        }
    }

    static String advice(SmtpFailure failure, String where, Running active) {
        Throwable cause = failure.getCause();
        return switch (failure.kind()) {
            case CONNECTION -> cause instanceof ConnectException
                ? "nothing listens on " + where + " (connection refused): check the host and port of the route or smart host"
                : cause instanceof SocketTimeoutException
                    ? where + " does not answer within " + active.configuration().connectTimeout() + " / "
                        + active.configuration().commandTimeout() + ": a firewall may drop the connection, or the server is stalled; "
                        + "many networks block outgoing port 25: relay through a smart host on port 587"
                    : "cannot talk to " + where + ": check the address, the port and the network";
            case TLS -> "TLS failed: if the server's certificate is self-signed or from a private CA, add it to <truststore>; "
                + "if the server has no TLS, use tls=may (opportunistic) or tls=none for this hop (not with credentials)";
            case CREDENTIALS -> "the credentials were not sent: they only go over TLS, and only over verified TLS unless the hop says "
                + "tls=encrypt; add the server's CA to <truststore>, fix the host name, or have the relay offer STARTTLS";
            case LOOP -> "this host is this server itself (it greets with our name, " + active.settings().heloName()
                + "): mail sent there would loop; point the route, smart host or MX elsewhere";
            case AUTH -> "the relay refused the login: check the user name and the password (password-env / password-file), "
                + "and whether the relay wants AUTH at all";
            case REPLY -> "the server refuses us (" + failure.reply().map(Object::toString).orElse("?") + "): ask its administrator "
                + "to accept this machine (HELO name " + active.settings().heloName() + ")";
            case PROTOCOL -> "the server does not speak SMTP as expected: is " + where + " a mail server? (implicit TLS on 465 needs tls=implicit)";
        };
    }

    private static Check dnsServer(InetSocketAddress server, Duration timeout, Optional<String> domain) {
        String step = "DNS server " + server.getAddress().getHostAddress() + ":" + server.getPort();
        String question = domain.orElse("james-routing-doctor.invalid");
        long start = System.nanoTime();
        try {
            SimpleResolver resolver = new SimpleResolver(server);
            resolver.setTimeout(timeout);
            Message query = Message.newQuery(Record.newRecord(Name.fromString(question.endsWith(".") ? question : question + "."), Type.MX,
                org.xbill.DNS.DClass.IN));
            Message answer = resolver.send(query);
            return new Check(step, true, "answers (" + org.xbill.DNS.Rcode.string(answer.getRcode()) + " for MX " + question + ") in "
                + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms", "");
        } catch (IOException e) {
            return new Check(step, false, "no answer within " + timeout + ": " + e.getMessage(),
                "this DNS server does not answer: check <dnsServers> in mailetcontainer.xml (auto: the machine's /etc/resolv.conf), "
                + "or a firewall blocking DNS (UDP and TCP port " + server.getPort() + ")");
        }
    }
}
