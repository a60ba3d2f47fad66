package org.jamesrouting.route;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing tables of this server: the static table (routes.conf) first, then the dynamic
 * table (webadmin, CLI; kept in a {@link DynamicRouteStore}). Readers take {@link #current()},
 * an immutable snapshot: a delivery uses the table it started with. A change is validated,
 * stored, then swapped in at once; a bad change leaves everything as it was.
 */
public class RoutingTables {
    private static final Logger LOGGER = LoggerFactory.getLogger(RoutingTables.class);

    /** A change refused: bad input (400), unknown id (404), or a static route (409). */
    public static class RouteChangeException extends IllegalArgumentException {
        public enum Reason { INVALID, NOT_FOUND, READ_ONLY }

        private final Reason reason;

        public RouteChangeException(Reason reason, String message) {
            super(message);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    private record State(List<Route> staticRoutes, List<Route> dynamicRoutes, RoutingTable table, long version) {
    }

    private final DynamicRouteStore store;
    private final AtomicReference<State> state;
    private volatile Supplier<List<Route>> staticSource = List::of;

    public RoutingTables(DynamicRouteStore store) {
        this.store = store;
        List<Route> dynamic;
        try {
            dynamic = store.load();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the dynamic routing table: " + e.getMessage(), e);
        }
        this.state = new AtomicReference<>(new State(List.of(), dynamic, RoutingTable.of(dynamic), 1));
    }

    /** The effective table now: static routes, then dynamic ones. */
    public RoutingTable current() {
        return state.get().table();
    }

    public long version() {
        return state.get().version();
    }

    public int staticCount() {
        return state.get().staticRoutes().size();
    }

    /** Where the static routes come from (the outbound router's routes file); read now and on reload. */
    public synchronized void useStaticSource(Supplier<List<Route>> source) {
        List<Route> routes = source.get();
        swap(routes, state.get().dynamicRoutes());
        this.staticSource = source;
    }

    /** Reads the static source again; on error the old static routes stay. */
    public synchronized void reloadStatic() {
        swap(staticSource.get(), state.get().dynamicRoutes());
    }

    /** Adds a dynamic route at a 1-based position of the effective table (default: the end). */
    public synchronized Route add(RouteJson json, Optional<Integer> position) {
        Route route = parse(json, newId());
        List<Route> dynamic = new ArrayList<>(state.get().dynamicRoutes());
        dynamic.add(dynamicIndex(position, dynamic.size() + 1), route);
        commit(dynamic);
        return route;
    }

    public synchronized Route replace(String id, RouteJson json) {
        int index = dynamicIndexOf(id);
        Route route = parse(json, id);
        List<Route> dynamic = new ArrayList<>(state.get().dynamicRoutes());
        dynamic.set(index, route);
        commit(dynamic);
        return route;
    }

    public synchronized void delete(String id) {
        int index = dynamicIndexOf(id);
        List<Route> dynamic = new ArrayList<>(state.get().dynamicRoutes());
        dynamic.remove(index);
        commit(dynamic);
    }

    /** Moves a dynamic route to a 1-based position of the effective table. */
    public synchronized Route move(String id, int position) {
        int index = dynamicIndexOf(id);
        List<Route> dynamic = new ArrayList<>(state.get().dynamicRoutes());
        Route route = dynamic.remove(index);
        dynamic.add(dynamicIndex(Optional.of(position), dynamic.size() + 1), route);
        commit(dynamic);
        return route;
    }

    /** Replaces the whole dynamic table; ids are kept when given, made otherwise. */
    public synchronized List<Route> replaceAll(List<RouteJson> routes) {
        List<Route> dynamic = new ArrayList<>();
        for (int i = 0; i < routes.size(); i++) {
            RouteJson json = routes.get(i);
            try {
                dynamic.add(parse(json, json.id == null ? newId() : checkId(json.id)));
            } catch (RouteChangeException e) {
                throw new RouteChangeException(e.reason(), "route " + (i + 1) + ": " + e.getMessage());
            }
        }
        commit(dynamic);
        return dynamic;
    }

    private static String checkId(String id) {
        try {
            return Route.checkId(id);
        } catch (IllegalArgumentException e) {
            throw new RouteChangeException(RouteChangeException.Reason.INVALID, e.getMessage());
        }
    }

    private static String newId() {
        return UUID.randomUUID().toString();
    }

    private Route parse(RouteJson json, String id) {
        try {
            return json.toRoute(id, Route.Source.DYNAMIC);
        } catch (IllegalArgumentException e) {
            throw new RouteChangeException(RouteChangeException.Reason.INVALID, e.getMessage());
        }
    }

    private int dynamicIndexOf(String id) {
        State current = state.get();
        List<Route> dynamic = current.dynamicRoutes();
        for (int i = 0; i < dynamic.size(); i++) {
            if (dynamic.get(i).id().equals(id)) {
                return i;
            }
        }
        if (current.staticRoutes().stream().anyMatch(route -> route.id().equals(id))) {
            throw new RouteChangeException(RouteChangeException.Reason.READ_ONLY,
                "route " + id + " is a static route (routes.conf): edit the file and reload it");
        }
        throw new RouteChangeException(RouteChangeException.Reason.NOT_FOUND, "no route " + id);
    }

    private int dynamicIndex(Optional<Integer> position, int dynamicSlots) {
        int staticCount = state.get().staticRoutes().size();
        if (position.isEmpty()) {
            return dynamicSlots - 1;
        }
        int wanted = position.get();
        if (wanted <= staticCount) {
            throw new RouteChangeException(wanted < 1 ? RouteChangeException.Reason.INVALID : RouteChangeException.Reason.READ_ONLY,
                "position " + wanted + " is " + (wanted < 1 ? "not a position (they start at 1)"
                    : "among the static routes (1 to " + staticCount + "), which always come first"));
        }
        int index = wanted - staticCount - 1;
        if (index > dynamicSlots - 1) {
            throw new RouteChangeException(RouteChangeException.Reason.INVALID,
                "position " + wanted + " is past the end of the table (" + (staticCount + dynamicSlots) + " at most)");
        }
        return index;
    }

    private void commit(List<Route> dynamic) {
        RoutingTable table;
        State current = state.get();
        try {
            table = combine(current.staticRoutes(), dynamic);
        } catch (IllegalArgumentException e) {
            throw new RouteChangeException(RouteChangeException.Reason.INVALID, e.getMessage());
        }
        try {
            store.save(dynamic);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot store the dynamic routing table: " + e.getMessage(), e);
        }
        install(current.staticRoutes(), dynamic, table);
    }

    private void swap(List<Route> staticRoutes, List<Route> dynamic) {
        install(staticRoutes, dynamic, combine(staticRoutes, dynamic));
    }

    /** The one place a new table becomes visible to readers. */
    private void install(List<Route> staticRoutes, List<Route> dynamic, RoutingTable table) {
        long version = state.get().version() + 1;
        state.set(new State(List.copyOf(staticRoutes), List.copyOf(dynamic), table, version));
        LOGGER.info("Routing table version {}: {} static + {} dynamic route(s)", version, staticRoutes.size(), dynamic.size());
    }

    private static RoutingTable combine(List<Route> staticRoutes, List<Route> dynamic) {
        List<Route> all = new ArrayList<>(staticRoutes.size() + dynamic.size());
        all.addAll(staticRoutes);
        all.addAll(dynamic);
        return RoutingTable.of(all);
    }
}
