package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.jamesrouting.cassandra.CassandraDocumentStore;
import org.jamesrouting.cassandra.CassandraRoutingSchema;
import org.jamesrouting.dns.DnsPins;
import org.jamesrouting.route.DynamicRouteStore;
import org.jamesrouting.route.Route;
import org.jamesrouting.route.RouteJson;
import org.jamesrouting.route.RoutingTables;
import org.jamesrouting.store.VersionedDocumentStore;
import org.jamesrouting.testing.CassandraNode;
import org.apache.james.backends.cassandra.init.CassandraTableManager;
import org.apache.james.backends.cassandra.init.CassandraTypesProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;

/**
 * The Cassandra store of the shared routing table and pins, against a real Cassandra: two
 * sessions stand for two nodes.
 */
class CassandraStoreIT {
    private static final String KEYSPACE = "james_routing_store_it";
    private static CqlSession nodeA;
    private static CqlSession nodeB;

    @BeforeAll
    static void connect() throws Exception {
        CassandraNode cassandra = CassandraNode.shared();
        try (CqlSession admin = CqlSession.builder().addContactPoint(cassandra.address()).withLocalDatacenter("datacenter1").build()) {
            // a schema change can take longer than the driver's 2 s default on a busy 2-core machine
            admin.execute(com.datastax.oss.driver.api.core.cql.SimpleStatement.newInstance("CREATE KEYSPACE IF NOT EXISTS " + KEYSPACE
                + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}").setTimeout(java.time.Duration.ofSeconds(30)));
        }
        nodeA = session(cassandra);
        nodeB = session(cassandra);
        new CassandraTableManager(CassandraRoutingSchema.MODULE, nodeA).initializeTables(new CassandraTypesProvider(nodeA));
    }

    private static CqlSession session(CassandraNode cassandra) {
        return CqlSession.builder().addContactPoint(cassandra.address()).withLocalDatacenter("datacenter1")
            .withKeyspace(CqlIdentifier.fromCql(KEYSPACE)).build();
    }

    @AfterAll
    static void close() {
        nodeA.close();
        nodeB.close();
    }

    private static RouteJson json(String pattern) {
        RouteJson json = new RouteJson();
        json.pattern = pattern;
        json.hosts = List.of("relay." + pattern + ":2525");
        return json;
    }

    @Test
    void twoNodesCreatingTheTablesAtOnceBothStart() throws Exception {
        CassandraNode cassandra = CassandraNode.shared();
        for (int round = 0; round < 1; round++) {
            String keyspace = "james_routing_race_" + round;
            try (CqlSession admin = CqlSession.builder().addContactPoint(cassandra.address()).withLocalDatacenter("datacenter1").build()) {
                admin.execute(com.datastax.oss.driver.api.core.cql.SimpleStatement.newInstance("CREATE KEYSPACE IF NOT EXISTS " + keyspace
                    + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}").setTimeout(java.time.Duration.ofSeconds(30)));
            }
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<CqlSession> sessions = new ArrayList<>();
            try {
                List<Future<?>> starts = new ArrayList<>();
                for (int node = 0; node < 2; node++) {
                    CqlSession session = CqlSession.builder().addContactPoint(cassandra.address()).withLocalDatacenter("datacenter1")
                        .withKeyspace(keyspace).build();
                    sessions.add(session);
                    starts.add(pool.submit(() -> new org.jamesrouting.cassandra.CassandraRoutingExtensionModule.Schema(session)));
                }
                for (Future<?> start : starts) {
                    start.get();
                }
                assertThat(new CassandraDocumentStore(sessions.get(1), "race").compareAndSet(0, "ok")).isTrue();
            } finally {
                pool.shutdownNow();
                sessions.forEach(CqlSession::close);
            }
        }
    }

    @Test
    void compareAndSetLetsExactlyOneOfTwoWritersWin() {
        CassandraDocumentStore a = new CassandraDocumentStore(nodeA, "cas-test");
        CassandraDocumentStore b = new CassandraDocumentStore(nodeB, "cas-test");
        assertThat(a.read()).isEqualTo(VersionedDocumentStore.Versioned.NONE);

        assertThat(a.compareAndSet(0, "first")).isTrue();
        assertThat(b.compareAndSet(0, "also first")).isFalse();
        assertThat(b.read()).isEqualTo(new VersionedDocumentStore.Versioned(1, Optional.of("first")));
        assertThat(b.compareAndSet(1, "second")).isTrue();
        assertThat(a.compareAndSet(1, "stale")).isFalse();
        assertThat(a.version()).isEqualTo(2);
        assertThat(a.read().content()).contains("second");
    }

    @Test
    void aLargeDocumentIsStoredInChunksAndReadBackWhole() {
        StringBuilder text = new StringBuilder();
        while (text.length() < 1_300_000) {
            text.append("route é 😀 ").append(text.length()).append('\n');
        }
        CassandraDocumentStore store = new CassandraDocumentStore(nodeA, "large-test");
        assertThat(store.compareAndSet(0, text.toString())).isTrue();
        assertThat(store.compareAndSet(1, text.toString() + "more")).isTrue();

        assertThat(new CassandraDocumentStore(nodeB, "large-test").read().content()).contains(text + "more");
        assertThat(nodeA.execute("SELECT count(*) FROM " + CassandraRoutingSchema.CHUNKS).one().getLong(0))
            .as("the replaced generation's chunks are gone").isLessThan(12);
    }

    @Test
    void twoNodesEditingTheTableAtOnceLoseNothingAndDuplicateNoPosition() throws Exception {
        RoutingTables tablesA = new RoutingTables(new DynamicRouteStore(new CassandraDocumentStore(nodeA, "routes-test")));
        RoutingTables tablesB = new RoutingTables(new DynamicRouteStore(new CassandraDocumentStore(nodeB, "routes-test")));
        org.jamesrouting.testing.ConcurrentEdits.addFromTwoNodes(tablesA, tablesB, 30);
        tablesA.refresh();
        tablesB.refresh();
        RoutingTables restarted = new RoutingTables(new DynamicRouteStore(new CassandraDocumentStore(nodeA, "routes-test")));

        List<String> patterns = restarted.current().routes().stream().map(route -> route.pattern().asString()).toList();
        assertThat(patterns).hasSize(60).doesNotHaveDuplicates();
        assertThat(restarted.current().routes().stream().map(Route::id).distinct().count()).isEqualTo(60);
        assertThat(tablesA.current().routes()).isEqualTo(restarted.current().routes());
        assertThat(tablesB.current().routes()).isEqualTo(restarted.current().routes());
    }

    @Test
    void pinsAreShared() {
        DnsPins pinsA = new DnsPins(new CassandraDocumentStore(nodeA, "pins-test"));
        DnsPins pinsB = new DnsPins(new CassandraDocumentStore(nodeB, "pins-test"));
        pinsA.pin("a.test", List.of("mx.a.test:2525"));
        pinsB.pin("b.test", List.of("mx.b.test"));

        assertThat(pinsA.refresh()).isTrue();
        assertThat(pinsA.all().keySet()).containsExactly("a.test", "b.test");
        assertThat(pinsB.unpin("a.test")).isTrue();
        pinsA.refresh();
        assertThat(pinsA.all().keySet()).containsExactly("b.test");
    }
}
