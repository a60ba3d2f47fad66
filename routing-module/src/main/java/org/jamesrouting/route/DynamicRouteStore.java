package org.jamesrouting.route;

import java.io.IOException;
import java.util.List;

/**
 * Where the dynamic routing table lives, so that it survives a restart. Implementations: a
 * local file ({@link FileDynamicRouteStore}); Cassandra for a cluster (to come).
 */
public interface DynamicRouteStore {
    List<Route> load() throws IOException;

    /** Replaces the stored table with this one, all or nothing. */
    void save(List<Route> routes) throws IOException;
}
