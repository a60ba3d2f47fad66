package org.jamesrouting.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.jamesrouting.route.RouteJson;
import org.jamesrouting.route.RoutingTables;

/** Two nodes adding routes to one shared table at the same time, each at positions of its own choosing. */
public final class ConcurrentEdits {
    private ConcurrentEdits() {
    }

    /** Node A adds a0.test ... , node B b0.test ..., {@code perNode} each, at position 1 + i / 2; waits for both. */
    public static void addFromTwoNodes(RoutingTables nodeA, RoutingTables nodeB, int perNode) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (RoutingTables node : List.of(nodeA, nodeB)) {
                String prefix = node == nodeA ? "a" : "b";
                runs.add(pool.submit(() -> {
                    for (int i = 0; i < perNode; i++) {
                        RouteJson json = new RouteJson();
                        json.pattern = prefix + i + ".test";
                        json.hosts = List.of("relay." + prefix + i + ".test:2525");
                        node.add(json, Optional.of(1 + i / 2));
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
