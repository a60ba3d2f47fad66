package org.jamesrouting.route;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

import org.jamesrouting.store.CompareAndSetRetry;
import org.jamesrouting.store.StoreUnavailableException;
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

    /** A change refused: bad input (400), unknown id (404), a static route (409), or a table that kept changing (409). */
    public static class RouteChangeException extends IllegalArgumentException {
        public enum Reason { INVALID, NOT_FOUND, READ_ONLY, CONFLICT }

        private final Reason reason;

        public RouteChangeException(Reason reason, String message) {
            super(message);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    private record State(List<Route> staticRoutes, List<Route> dynamicRoutes, RoutingTable table, long version, long storedVersion) {
    }

    /** An edit's outcome: the new dynamic table and what to answer. */
    private record Edit<T>(List<Route> dynamic, T result) {
    }

    private final DynamicRouteStore store;
    private final AtomicReference<State> state;
    private volatile Supplier<List<Route>> staticSource = List::of;

    /**
     * @throws IllegalStateException the stored dynamic table cannot be read or is not valid (the
     *         server refuses to start rather than route without it)
     */
    public RoutingTables(DynamicRouteStore store) {
        this.store = store;
        DynamicRouteStore.Snapshot snapshot;
        try {
            snapshot = store.load();
        } catch (IOException | StoreUnavailableException e) {
            throw new IllegalStateException("Cannot read the dynamic routing table (" + store.describe() + "): " + e.getMessage(), e);
        }
        this.state = new AtomicReference<>(new State(List.of(), snapshot.routes(), RoutingTable.of(snapshot.routes()), 1, snapshot.version()));
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
    public Route add(RouteJson json, Optional<Integer> position) {
        Route route = parse(json, newId());
        return edit(current -> {
            List<Route> dynamic = new ArrayList<>(current.dynamicRoutes());
            dynamic.add(dynamicIndex(current, position, dynamic.size() + 1), route);
            return new Edit<>(dynamic, route);
        });
    }

    public Route replace(String id, RouteJson json) {
        Route route = parse(json, id);
        return edit(current -> {
            List<Route> dynamic = new ArrayList<>(current.dynamicRoutes());
            dynamic.set(dynamicIndexOf(current, id), route);
            return new Edit<>(dynamic, route);
        });
    }

    public void delete(String id) {
        edit(current -> {
            List<Route> dynamic = new ArrayList<>(current.dynamicRoutes());
            dynamic.remove(dynamicIndexOf(current, id));
            return new Edit<>(dynamic, id);
        });
    }

    /** Moves a dynamic route to a 1-based position of the effective table. */
    public Route move(String id, int position) {
        return edit(current -> {
            List<Route> dynamic = new ArrayList<>(current.dynamicRoutes());
            Route route = dynamic.remove(dynamicIndexOf(current, id));
            dynamic.add(dynamicIndex(current, Optional.of(position), dynamic.size() + 1), route);
            return new Edit<>(dynamic, route);
        });
    }

    /** Replaces the whole dynamic table; ids are kept when given, made otherwise. */
    public List<Route> replaceAll(List<RouteJson> routes) {
        List<Route> dynamic = new ArrayList<>();
        for (int i = 0; i < routes.size(); i++) {
            RouteJson json = routes.get(i);
            try {
                dynamic.add(parse(json, json.id == null ? newId() : checkId(json.id)));
            } catch (RouteChangeException e) {
                throw new RouteChangeException(e.reason(), "route " + (i + 1) + ": " + e.getMessage());
            }
        }
        List<Route> result = List.copyOf(dynamic);
        return edit(current -> new Edit<>(result, result));
    }

    /**
     * Reads the stored dynamic table if another node changed it, and swaps it in. The watcher of a
     * cluster calls this every second or so.
     *
     * @return true if the table changed
     * @throws StoreUnavailableException the store cannot be read: the table in use stays
     */
    public synchronized boolean refresh() {
        long stored = store.version();
        if (stored == state.get().storedVersion()) {
            return false;
        }
        DynamicRouteStore.Snapshot snapshot;
        try {
            snapshot = store.load();
        } catch (IOException e) {
            LOGGER.error("The stored dynamic routing table is not valid; keeping the one in use: {}", e.getMessage());
            return false;
        }
        State current = state.get();
        RoutingTable table;
        try {
            table = combine(current.staticRoutes(), snapshot.routes());
        } catch (IllegalArgumentException e) {
            LOGGER.error("The stored dynamic routing table (version {}) does not combine with the static routes; keeping the one in use: {}",
                snapshot.version(), e.getMessage());
            return false;
        }
        install(current.staticRoutes(), snapshot.routes(), table, snapshot.version());
        return true;
    }

    /**
     * Applies an edit to the table now and stores the result if nobody else stored a newer
     * table meanwhile; otherwise reads theirs and redoes the edit on it (so a position is always
     * one of the table the edit was applied to, and no update is lost).
     */
    private synchronized <T> T edit(Function<State, Edit<T>> change) {
        return CompareAndSetRetry.untilWon(() -> {
            State current = state.get();
            Edit<T> edit = change.apply(current);
            RoutingTable table;
            try {
                table = combine(current.staticRoutes(), edit.dynamic());
            } catch (IllegalArgumentException e) {
                throw new RouteChangeException(RouteChangeException.Reason.INVALID, e.getMessage());
            }
            if (store.compareAndSet(current.storedVersion(), edit.dynamic())) {
                install(current.staticRoutes(), edit.dynamic(), table, current.storedVersion() + 1);
                return Optional.of(edit.result());
            }
            LOGGER.info("The dynamic routing table changed elsewhere (another node); applying the edit to the new table");
            return Optional.<T>empty();
        }, this::refresh).orElseThrow(() -> new RouteChangeException(RouteChangeException.Reason.CONFLICT,
            "the dynamic routing table kept changing under this edit (" + CompareAndSetRetry.ATTEMPTS + " tries): try again"));
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

    private static int dynamicIndexOf(State current, String id) {
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

    private static int dynamicIndex(State current, Optional<Integer> position, int dynamicSlots) {
        int staticCount = current.staticRoutes().size();
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

    private void swap(List<Route> staticRoutes, List<Route> dynamic) {
        install(staticRoutes, dynamic, combine(staticRoutes, dynamic), state.get().storedVersion());
    }

    /** The one place a new table becomes visible to readers. */
    private void install(List<Route> staticRoutes, List<Route> dynamic, RoutingTable table, long storedVersion) {
        long version = state.get().version() + 1;
        state.set(new State(List.copyOf(staticRoutes), List.copyOf(dynamic), table, version, storedVersion));
        LOGGER.info("Routing table version {}: {} static + {} dynamic route(s) (stored dynamic table version {})",
            version, staticRoutes.size(), dynamic.size(), storedVersion);
    }

    private static RoutingTable combine(List<Route> staticRoutes, List<Route> dynamic) {
        List<Route> all = new ArrayList<>(staticRoutes.size() + dynamic.size());
        all.addAll(staticRoutes);
        all.addAll(dynamic);
        return RoutingTable.of(all);
    }
}
