package org.jamesrouting.server;

import java.io.FileNotFoundException;
import java.net.InetSocketAddress;

import javax.inject.Singleton;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.backends.cassandra.init.configuration.ClusterConfiguration;
import org.apache.james.backends.cassandra.init.configuration.KeyspaceConfiguration;
import org.apache.james.utils.PropertiesProvider;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;

/**
 * A Cassandra session for our server, as James's distributed server has one: from
 * {@code conf/cassandra.properties} (James's keys: {@code cassandra.nodes},
 * {@code cassandra.keyspace}, {@code cassandra.replication.factor}, {@code cassandra.user}, ...).
 * The keyspace is created when missing. {@link RoutingJamesServerMain} adds it when that file
 * exists; only james-routing's tables use it (mail, users and mailboxes stay in memory).
 */
public class RoutingCassandraSessionModule extends AbstractModule {
    static final String FILE = "cassandra";

    @Provides
    @Singleton
    CqlSession session(PropertiesProvider properties) throws ConfigurationException, FileNotFoundException {
        Configuration configuration = properties.getConfiguration(FILE);
        ClusterConfiguration cluster = ClusterConfiguration.from(configuration);
        KeyspaceConfiguration keyspace = KeyspaceConfiguration.builder()
            .keyspace(configuration.getString("cassandra.keyspace", "james_routing"))
            .replicationFactor(configuration.getInt("cassandra.replication.factor", 1))
            .durableWrites(true);
        CqlSession session = connect(cluster, keyspace);
        Runtime.getRuntime().addShutdownHook(new Thread(session::close, "james-routing-cassandra-close"));
        return session;
    }

    /**
     * As James's ClusterFactory does, without its contact check ({@code SELECT dateof(now())}),
     * a function Cassandra 5 no longer has.
     */
    private static CqlSession connect(ClusterConfiguration cluster, KeyspaceConfiguration keyspace) {
        CqlSessionBuilder builder = CqlSession.builder()
            .withLocalDatacenter(cluster.getLocalDC().orElse("datacenter1"));
        cluster.getHosts().forEach(host -> builder.addContactPoint(InetSocketAddress.createUnresolved(host.getHostName(), host.getPort())));
        cluster.getUsername().ifPresent(user -> builder.withAuthCredentials(user, cluster.getPassword().orElse("")));
        try (CqlSession administration = builder.build()) {
            // a schema change waits for every node to agree: longer than the driver's 2 s default on a busy machine
            administration.execute(com.datastax.oss.driver.api.core.cql.SimpleStatement.newInstance("CREATE KEYSPACE IF NOT EXISTS "
                + CqlIdentifier.fromCql(keyspace.getKeyspace()).asCql(true)
                + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': " + keyspace.getReplicationFactor() + "}")
                .setTimeout(java.time.Duration.ofSeconds(30)));
        }
        return builder.withKeyspace(CqlIdentifier.fromCql(keyspace.getKeyspace())).build();
    }
}
