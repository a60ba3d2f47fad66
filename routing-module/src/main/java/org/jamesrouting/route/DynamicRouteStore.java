package org.jamesrouting.route;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.jamesrouting.store.StoreUnavailableException;
import org.jamesrouting.store.VersionedDocumentStore;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The dynamic routing table as stored: a JSON list of routes (the webadmin form, passwords
 * included) in a {@link VersionedDocumentStore}, a local file on one server or Cassandra for a
 * cluster.
 */
public final class DynamicRouteStore {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The routes of one stored version. */
    public record Snapshot(long version, List<Route> routes) {
    }

    private final VersionedDocumentStore documents;

    public DynamicRouteStore(VersionedDocumentStore documents) {
        this.documents = documents;
    }

    public String describe() {
        return documents.describe();
    }

    /**
     * @throws StoreUnavailableException the store cannot be read
     * @throws IOException the stored table is not a valid one (names the route and the problem)
     */
    public Snapshot load() throws IOException {
        VersionedDocumentStore.Versioned stored = documents.read();
        if (stored.content().isEmpty()) {
            return new Snapshot(stored.version(), List.of());
        }
        List<RouteJson> routes = JSON.readValue(stored.content().get(), new TypeReference<List<RouteJson>>() { });
        List<Route> parsed = new ArrayList<>(routes.size());
        for (int i = 0; i < routes.size(); i++) {
            RouteJson json = routes.get(i);
            try {
                parsed.add(json.toRoute(json.id, Route.Source.DYNAMIC));
            } catch (RuntimeException e) {
                throw new IOException(documents.describe() + ": route " + (i + 1) + " (" + json.id + "): " + e.getMessage(), e);
            }
        }
        return new Snapshot(stored.version(), List.copyOf(parsed));
    }

    public long version() {
        return documents.version();
    }

    /** Stores the table as the version after {@code expected}; false if another writer stored one first. */
    public boolean compareAndSet(long expected, List<Route> routes) {
        List<RouteJson> json = routes.stream().map(route -> RouteJson.of(route, true)).toList();
        try {
            return documents.compareAndSet(expected, JSON.writeValueAsString(json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write routes as JSON", e);
        }
    }
}
