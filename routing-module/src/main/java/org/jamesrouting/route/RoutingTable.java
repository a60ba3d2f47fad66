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
 * per table (exact address, user in any domain, exact domain, each parent domain, {@code *}),
 * each holding the first position for its key, and takes the smallest position found. Cost:
 * a handful of lookups per label of the domain, whatever the size of the table.
 */
public final class RoutingTable {
    public static final RoutingTable EMPTY = new RoutingTable(List.of());

    private final ImmutableList<Route> routes;
    private final Map<String, Integer> firstByAddress = new HashMap<>();
    private final Map<String, Integer> firstByLocalPart = new HashMap<>();
    private final Map<String, Integer> firstByDomain = new HashMap<>();
    private final Map<String, Integer> firstByParentDomain = new HashMap<>();
    private final int firstAny;

    private RoutingTable(List<Route> routes) {
        this.routes = ImmutableList.copyOf(routes);
        Set<String> ids = new HashSet<>();
        int any = Integer.MAX_VALUE;
        for (int index = 0; index < this.routes.size(); index++) {
            Route route = this.routes.get(index);
            if (!ids.add(route.id())) {
                throw new IllegalArgumentException("route id '" + route.id() + "' is used twice");
            }
            if (!route.enabled()) {
                continue;
            }
            AddressPattern pattern = route.pattern();
            switch (pattern.kind()) {
                case ANY -> any = Math.min(any, index);
                case DOMAIN -> firstByDomain.putIfAbsent(pattern.domain(), index);
                case SUBDOMAINS -> firstByParentDomain.putIfAbsent(pattern.domain(), index);
                case DOMAIN_AND_SUBDOMAINS -> {
                    firstByDomain.putIfAbsent(pattern.domain(), index);
                    firstByParentDomain.putIfAbsent(pattern.domain(), index);
                }
                case ADDRESS -> firstByAddress.putIfAbsent(pattern.localPart() + "@" + pattern.domain(), index);
                case LOCAL_PART -> firstByLocalPart.putIfAbsent(pattern.localPart(), index);
            }
        }
        this.firstAny = any;
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

    public Optional<RouteMatch> resolve(RoutingAddress address) {
        int best = firstAny;
        best = min(best, firstByAddress.get(address.localPart() + "@" + address.domain()));
        best = min(best, firstByLocalPart.get(address.localPart()));
        String domain = address.domain();
        best = min(best, firstByDomain.get(domain));
        for (int dot = domain.indexOf('.'); dot >= 0; dot = domain.indexOf('.', dot + 1)) {
            best = min(best, firstByParentDomain.get(domain.substring(dot + 1)));
        }
        if (best == Integer.MAX_VALUE) {
            return Optional.empty();
        }
        return Optional.of(new RouteMatch(routes.get(best), best + 1, address));
    }

    /** The reference: a plain first-match scan. {@link #resolve} must always agree with it. */
    public Optional<RouteMatch> resolveByScan(RoutingAddress address) {
        for (int index = 0; index < routes.size(); index++) {
            Route route = routes.get(index);
            if (route.enabled() && route.pattern().matches(address.localPart(), address.domain())) {
                return Optional.of(new RouteMatch(route, index + 1, address));
            }
        }
        return Optional.empty();
    }

    private static int min(int best, Integer candidate) {
        return candidate != null && candidate < best ? candidate : best;
    }
}
