package org.jamesrouting.route;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.google.common.collect.ImmutableList;

/**
 * An ordered routing table, immutable: a change makes a new table, swapped in atomically by its
 * holder, so a delivery keeps the table it started with. First enabled matching route wins.
 * <p>
 * {@link #resolve} does not scan the routes: it looks the address up in hash maps built once
 * per table, each holding the first position for its key, and takes the smallest position
 * found: one lookup for the address's domain (routes for that domain, and for users of it), one
 * per parent domain (wildcard routes), one for the local part if any route is {@code user@*},
 * and the first {@code *}. Cost: one lookup per label of the domain, whatever the table's size.
 * Routes with conditions (sender, AUTH user, headers) or a general wildcard pattern are not in
 * the maps: those placed before the indexed answer are tried one by one, in order.
 */
public final class RoutingTable {
    public static final RoutingTable EMPTY = new RoutingTable(List.of());

    private final ImmutableList<Route> routes;
    private final Map<String, DomainEntry> byDomain = new HashMap<>();
    private final Map<String, Integer> firstByLocalPart = new HashMap<>();
    private final int firstAny;
    /** Positions of the enabled routes tried one by one (conditions or a general wildcard), ascending. */
    private final int[] scanned;
    /** Bit n set: some wildcard route names a domain of n labels (n >= 63 share bit 63). */
    private long parentLabelCounts;

    /** First positions of the routes that name one domain. */
    private static final class DomainEntry {
        int exact = Integer.MAX_VALUE;
        int parent = Integer.MAX_VALUE;
        Map<String, Integer> firstByLocalPart;

        void address(String localPart, int index) {
            if (firstByLocalPart == null) {
                firstByLocalPart = new HashMap<>(4);
            }
            firstByLocalPart.putIfAbsent(localPart, index);
        }
    }

    private RoutingTable(List<Route> routes) {
        this.routes = ImmutableList.copyOf(routes);
        Set<String> ids = new HashSet<>();
        int any = Integer.MAX_VALUE;
        List<Integer> scan = new java.util.ArrayList<>();
        for (int index = 0; index < this.routes.size(); index++) {
            Route route = this.routes.get(index);
            if (!ids.add(route.id())) {
                throw new IllegalArgumentException("route id '" + route.id() + "' is used twice");
            }
            if (!route.enabled()) {
                continue;
            }
            AddressPattern pattern = route.pattern();
            if (!route.conditions().isEmpty() || pattern.kind() == AddressPattern.Kind.WILDCARD) {
                scan.add(index);
                continue;
            }
            switch (pattern.kind()) {
                case ANY -> any = Math.min(any, index);
                case DOMAIN -> entry(pattern.domain()).exact = Math.min(entry(pattern.domain()).exact, index);
                case SUBDOMAINS -> parent(pattern.domain(), index);
                case DOMAIN_AND_SUBDOMAINS -> {
                    DomainEntry entry = entry(pattern.domain());
                    entry.exact = Math.min(entry.exact, index);
                    parent(pattern.domain(), index);
                }
                case ADDRESS -> entry(pattern.domain()).address(pattern.localPart(), index);
                case LOCAL_PART -> firstByLocalPart.putIfAbsent(pattern.localPart(), index);
                case WILDCARD -> throw new IllegalStateException("wildcard routes are scanned");
            }
        }
        this.firstAny = any;
        this.scanned = scan.stream().mapToInt(Integer::intValue).toArray();
    }

    private void parent(String domain, int index) {
        DomainEntry entry = entry(domain);
        entry.parent = Math.min(entry.parent, index);
        parentLabelCounts |= labelBit(labels(domain));
    }

    private static int labels(String domain) {
        int labels = 1;
        for (int i = 0; i < domain.length(); i++) {
            if (domain.charAt(i) == '.') {
                labels++;
            }
        }
        return labels;
    }

    private static long labelBit(int labels) {
        return 1L << Math.min(labels, 63);
    }

    private DomainEntry entry(String domain) {
        return byDomain.computeIfAbsent(domain, any -> new DomainEntry());
    }

    /**
     * @throws IllegalArgumentException when two routes share an id
     */
    public static RoutingTable of(List<Route> routes) {
        return new RoutingTable(routes);
    }

    public List<Route> routes() {
        return routes;
    }

    public int size() {
        return routes.size();
    }

    public Optional<Route> byId(String id) {
        return routes.stream().filter(route -> route.id().equals(id)).findFirst();
    }

    /** The route for a recipient when nothing else is known: routes with conditions do not match. */
    public Optional<RouteMatch> resolve(RoutingAddress address) {
        return resolve(address, MessageContext.UNKNOWN);
    }

    public Optional<RouteMatch> resolve(RoutingAddress address, MessageContext context) {
        int best = indexed(address);
        for (int position : scanned) {
            if (position >= best) {
                break;
            }
            Route route = routes.get(position);
            if (route.pattern().matches(address.localPart(), address.domain()) && route.conditions().matches(context)) {
                best = position;
                break;
            }
        }
        if (best == Integer.MAX_VALUE) {
            return Optional.empty();
        }
        return Optional.of(new RouteMatch(routes.get(best), best + 1, address));
    }

    /** For explain: the route taken, and the routes before it not taken for their conditions, with why. */
    public record Explanation(Optional<RouteMatch> match, List<String> skipped) {
    }

    public Explanation explain(RoutingAddress address, MessageContext context) {
        Optional<RouteMatch> match = resolve(address, context);
        int end = match.map(found -> found.position() - 1).orElse(routes.size());
        List<String> skipped = new java.util.ArrayList<>();
        for (int index = 0; index < end; index++) {
            Route route = routes.get(index);
            if (route.enabled() && route.pattern().matches(address.localPart(), address.domain())) {
                int position = index + 1;
                route.conditions().failure(context).ifPresent(why ->
                    skipped.add("route " + route.id() + " (position " + position + ", " + route.conditions().describe() + "): " + why));
            }
        }
        return new Explanation(match, List.copyOf(skipped));
    }

    private int indexed(RoutingAddress address) {
        int best = firstAny;
        if (!firstByLocalPart.isEmpty()) {
            best = min(best, firstByLocalPart.get(address.localPart()));
        }
        String domain = address.domain();
        DomainEntry own = byDomain.get(domain);
        if (own != null) {
            best = Math.min(best, own.exact);
            if (own.firstByLocalPart != null) {
                best = min(best, own.firstByLocalPart.get(address.localPart()));
            }
        }
        if (parentLabelCounts != 0) {
            int remainingLabels = labels(domain);
            for (int dot = domain.indexOf('.'); dot >= 0; dot = domain.indexOf('.', dot + 1)) {
                remainingLabels--;
                if ((parentLabelCounts & labelBit(remainingLabels)) == 0) {
                    continue;
                }
                DomainEntry parent = byDomain.get(domain.substring(dot + 1));
                if (parent != null) {
                    best = Math.min(best, parent.parent);
                }
            }
        }
        return best;
    }

    /** The reference: a plain first-match scan. {@link #resolve} must always agree with it. */
    public Optional<RouteMatch> resolveByScan(RoutingAddress address, MessageContext context) {
        for (int index = 0; index < routes.size(); index++) {
            Route route = routes.get(index);
            if (route.enabled() && route.pattern().matches(address.localPart(), address.domain()) && route.conditions().matches(context)) {
                return Optional.of(new RouteMatch(route, index + 1, address));
            }
        }
        return Optional.empty();
    }

    private static int min(int best, Integer candidate) {
        return candidate != null && candidate < best ? candidate : best;
    }
}
