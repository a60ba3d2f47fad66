package org.jamesrouting.cassandra;

import java.time.Duration;
import java.util.List;

import javax.inject.Singleton;

import org.apache.james.backends.cassandra.init.CassandraTableManager;
import org.apache.james.backends.cassandra.init.CassandraTypesProvider;
import org.jamesrouting.dns.DnsPins;
import org.jamesrouting.guice.RoutingExtensionModule;
import org.jamesrouting.route.DynamicRouteStore;
import org.jamesrouting.route.RoutingTables;
import org.jamesrouting.schedule.Holds;
import org.jamesrouting.store.SharedStateWatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.servererrors.AlreadyExistsException;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.util.Modules;

/**
 * james-routing for a cluster: everything {@link RoutingExtensionModule} gives, but the dynamic
 * routing table, the pinned domain names and the destinations on hold live in James's Cassandra
 * keyspace, shared by every node. Enable it instead of RoutingExtensionModule in {@code conf/extensions.properties}:
 * <pre>guice.extension.module=org.jamesrouting.cassandra.CassandraRoutingExtensionModule</pre>
 * It uses James's own Cassandra session (James's distributed server, or our server with a
 * {@code conf/cassandra.properties}), creates its two tables on first start, and checks for
 * changes made on other nodes every second (system property
 * {@code jamesrouting.cluster.pollMillis}).
 */
public class CassandraRoutingExtensionModule extends AbstractModule {
    private static final Logger LOGGER = LoggerFactory.getLogger(CassandraRoutingExtensionModule.class);
    public static final String DYNAMIC_ROUTES = "dynamic-routes";
    public static final String DNS_PINS = "dns-pins";
    public static final String HOLDS = "held-destinations";
    static final Duration DEFAULT_POLL = Duration.ofSeconds(1);

    @Override
    protected void configure() {
        install(Modules.override(new RoutingExtensionModule()).with(new Stores()));
        bind(SharedStateWatcher.class).toProvider(WatcherProvider.class).asEagerSingleton();
    }

    /** The tables, created if missing, before any store uses them. */
    public static final class Schema {
        private final CqlSession session;

        /**
         * Two nodes starting at once may both see a table missing and both create it (James's
         * table manager checks, then creates): the loser is told it already exists and checks again.
         */
        public Schema(CqlSession session) {
            for (int attempt = 1; ; attempt++) {
                try {
                    new CassandraTableManager(CassandraRoutingSchema.MODULE, session).initializeTables(new CassandraTypesProvider(session));
                    break;
                } catch (AlreadyExistsException e) {
                    if (attempt == 10) {
                        throw e;
                    }
                    LOGGER.info("Another node created {} at the same time; checking the schema again", e.getMessage());
                    session.refreshSchema();
                }
            }
            this.session = session;
        }

        CqlSession session() {
            return session;
        }
    }

    private static final class Stores extends AbstractModule {
        @Provides
        @Singleton
        Schema schema(CqlSession session) {
            return new Schema(session);
        }

        @Provides
        @Singleton
        DynamicRouteStore dynamicRouteStore(Schema schema) {
            return new DynamicRouteStore(new CassandraDocumentStore(schema.session(), DYNAMIC_ROUTES));
        }

        @Provides
        @Singleton
        DnsPins dnsPins(Schema schema) {
            return new DnsPins(new CassandraDocumentStore(schema.session(), DNS_PINS));
        }

        @Provides
        @Singleton
        Holds holds(Schema schema) {
            return new Holds(new CassandraDocumentStore(schema.session(), HOLDS));
        }
    }

    static final class WatcherProvider implements javax.inject.Provider<SharedStateWatcher> {
        private final RoutingTables tables;
        private final DnsPins pins;
        private final Holds holds;

        @javax.inject.Inject
        WatcherProvider(RoutingTables tables, DnsPins pins, Holds holds) {
            this.tables = tables;
            this.pins = pins;
            this.holds = holds;
        }

        @Override
        public SharedStateWatcher get() {
            Duration interval = Duration.ofMillis(Long.getLong("jamesrouting.cluster.pollMillis", DEFAULT_POLL.toMillis()));
            LOGGER.info("Routing tables shared through Cassandra: checking for changes every {} ms", interval.toMillis());
            return new SharedStateWatcher(List.of(
                new SharedStateWatcher.Watched("dynamic routing table", tables::refresh),
                new SharedStateWatcher.Watched("pinned domain names", pins::refresh),
                new SharedStateWatcher.Watched("destinations on hold", holds::refresh)), interval);
        }
    }
}
