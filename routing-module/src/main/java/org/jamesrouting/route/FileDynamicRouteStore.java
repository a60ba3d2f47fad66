package org.jamesrouting.route;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.jamesrouting.core.AtomicFiles;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The dynamic routing table in a JSON file (readable by its owner only: it holds relay
 * passwords), replaced atomically on every change so a crash never leaves half a table.
 */
public final class FileDynamicRouteStore implements DynamicRouteStore {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;

    public FileDynamicRouteStore(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized List<Route> load() throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<RouteJson> stored = JSON.readValue(file.toFile(), new TypeReference<List<RouteJson>>() { });
        List<Route> routes = new ArrayList<>();
        for (int i = 0; i < stored.size(); i++) {
            RouteJson json = stored.get(i);
            try {
                routes.add(json.toRoute(json.id, Route.Source.DYNAMIC));
            } catch (RuntimeException e) {
                throw new IOException(file + ": route " + (i + 1) + " (" + json.id + "): " + e.getMessage(), e);
            }
        }
        return routes;
    }

    @Override
    public synchronized void save(List<Route> routes) throws IOException {
        List<RouteJson> json = routes.stream().map(route -> RouteJson.of(route, true)).toList();
        AtomicFiles.replace(file, JSON.writeValueAsBytes(json));
    }
}
