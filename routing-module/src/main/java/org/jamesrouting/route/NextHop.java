package org.jamesrouting.route;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.jamesrouting.core.DomainNames;

/**
 * Where a route sends its mail (Postfix's transport next hop): its own mail hosts, tried in order
 * ({@code mx1.example.net,10.0.0.7:2525}); {@code mx}: the recipient domain's MX, as if there were
 * no smart host ({@code partner.test smtp:} in Postfix); {@code mx:<domain>}: the MX of another
 * domain, e.g. the provider that hosts the partner's mail ({@code smtp:example.net}); or
 * {@code default}: the next hop the mail would have without the route (the smart host, else the
 * recipient's MX) — a route that only changes options.
 */
public record NextHop(Kind kind, List<MailHost> hosts, Optional<String> mxDomain, HostChoice choice) {
    public enum Kind { HOSTS, MX, MX_OF, DEFAULT }

    public static final NextHop MX = new NextHop(Kind.MX, List.of(), Optional.empty(), HostChoice.IN_ORDER);
    public static final NextHop DEFAULT = new NextHop(Kind.DEFAULT, List.of(), Optional.empty(), HostChoice.IN_ORDER);

    public NextHop {
        hosts = List.copyOf(hosts);
        if (choice.order() == HostChoice.Order.WEIGHTED && choice.weights().size() != hosts.size()) {
            throw new IllegalArgumentException("one weight per host");
        }
        if (kind != Kind.HOSTS && choice.varies()) {
            throw new IllegalArgumentException("order= and weights are for a route's own hosts");
        }
        if ((kind == Kind.HOSTS) == hosts.isEmpty()) {
            throw new IllegalArgumentException(kind == Kind.HOSTS ? "a route needs at least one mail host" : "only a hosts list has hosts");
        }
        if ((kind == Kind.MX_OF) != mxDomain.isPresent()) {
            throw new IllegalArgumentException("mx:<domain> names its domain, and only it");
        }
    }

    public static NextHop hosts(List<MailHost> hosts) {
        return new NextHop(Kind.HOSTS, hosts, Optional.empty(), HostChoice.IN_ORDER);
    }

    public static NextHop mxOf(String domain) {
        return new NextHop(Kind.MX_OF, List.of(), Optional.of(DomainNames.normalize(domain).asString()), HostChoice.IN_ORDER);
    }

    /**
     * A hosts list as written, each with an optional weight: {@code a.example:2525*3,b.example*1}.
     *
     * @throws IllegalArgumentException an empty or bad host, or a bad weight
     */
    public static NextHop parseHosts(String hostList) {
        List<MailHost> hosts = new java.util.ArrayList<>();
        List<Integer> weights = new java.util.ArrayList<>();
        for (String written : hostList.split(",", -1)) {
            String host = written.trim();
            if (host.isEmpty()) {
                throw new IllegalArgumentException("empty mail host in '" + hostList + "'");
            }
            int star = host.lastIndexOf('*');
            if (star > 0 && host.substring(star + 1).matches("[0-9]{1,4}")) {
                weights.add(Integer.parseInt(host.substring(star + 1)));
                host = host.substring(0, star);
            }
            hosts.add(MailHost.parse(host, MailHost.SMTP_PORT));
        }
        if (!weights.isEmpty() && weights.size() != hosts.size()) {
            throw new IllegalArgumentException("'" + hostList + "': give every host a weight (host*3), or none");
        }
        return new NextHop(Kind.HOSTS, hosts, Optional.empty(), weights.isEmpty() ? HostChoice.IN_ORDER : HostChoice.weighted(weights));
    }

    /**
     * These hosts in the order the {@code order=} option gives ({@code random}, {@code in-order}).
     *
     * @throws IllegalArgumentException weights give the order already, this is not a hosts list, or not an order
     */
    public NextHop withOrder(String orderText) {
        if (choice.order() == HostChoice.Order.WEIGHTED) {
            throw new IllegalArgumentException("order=" + orderText + ": the hosts have weights, which give the order");
        }
        if (!isHosts()) {
            throw new IllegalArgumentException("order=" + orderText + ": for a route's own hosts, not " + asString());
        }
        return new NextHop(kind, hosts, mxDomain, HostChoice.parseOrder(orderText));
    }

    /**
     * {@code mx}, {@code mx:<domain>} or {@code default}; empty for anything else (a hosts list).
     * {@code mx:25} is a host named mx, port 25.
     *
     * @throws IllegalArgumentException {@code mx:} with a bad domain
     */
    public static Optional<NextHop> kindOf(String text) {
        String lower = text.trim().toLowerCase(Locale.ROOT);
        if (lower.equals("mx")) {
            return Optional.of(MX);
        }
        if (lower.equals("default")) {
            return Optional.of(DEFAULT);
        }
        if (lower.startsWith("mx:") && !lower.substring(3).matches("[0-9]*")) {
            try {
                return Optional.of(mxOf(lower.substring(3)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("mx:" + text.trim().substring(3) + ": not a domain (" + e.getMessage() + ")");
            }
        }
        return Optional.empty();
    }

    public boolean isHosts() {
        return kind == Kind.HOSTS;
    }

    /** Each host as written, with its weight: {@code a.example:2525*3}. */
    public List<String> hostTexts() {
        List<String> texts = new java.util.ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            texts.add(hosts.get(i).asString() + choice.weightText(i));
        }
        return texts;
    }

    /** As routes.conf writes it: the hosts, {@code mx}, {@code mx:<domain>} or {@code default}. */
    public String asString() {
        return switch (kind) {
            case HOSTS -> String.join(",", hostTexts());
            case MX -> "mx";
            case MX_OF -> "mx:" + mxDomain.orElseThrow();
            case DEFAULT -> "default";
        };
    }
}
