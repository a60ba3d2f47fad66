package org.jamesrouting.server;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.jms.ConnectionFactory;

import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.ActiveMQPrefetchPolicy;
import org.apache.activemq.broker.BrokerPlugin;
import org.apache.activemq.broker.BrokerService;
import org.apache.activemq.broker.jmx.ManagementContext;
import org.apache.activemq.plugin.StatisticsBrokerPlugin;
import org.apache.activemq.store.PersistenceAdapter;
import org.apache.james.filesystem.api.FileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded ActiveMQ broker that holds the mail queues, reachable only inside this JVM
 * ({@code vm://james}): no network transport at all. James's own {@code EmbeddedActiveMQ} also
 * opens {@code tcp://localhost:0}, an OpenWire port without authentication on which any local
 * process could browse, delete or inject queued mail. Otherwise the same set-up: KahaDB under
 * {@code var/store/activemq/brokers}, no JMX, no broker scheduler, statistics plugin (James's
 * queue metrics read it), prefetch 0.
 */
public class InVmBroker {
    private static final Logger LOGGER = LoggerFactory.getLogger(InVmBroker.class);
    static final String BROKER_NAME = "james";

    private final BrokerService broker;
    private final ActiveMQConnectionFactory connectionFactory;

    @Inject
    public InVmBroker(FileSystem fileSystem, PersistenceAdapter persistence) throws Exception {
        persistence.setDirectory(fileSystem.getFile("file://var/store/activemq/brokers/KahaDB"));
        broker = new BrokerService();
        broker.setBrokerName(BROKER_NAME);
        broker.setBrokerId("broker");
        broker.setUseJmx(false);
        broker.setPersistent(true);
        broker.setDataDirectoryFile(fileSystem.getFile("file://var/store/activemq/brokers"));
        broker.setUseShutdownHook(false);
        broker.setSchedulerSupport(false);
        ManagementContext management = new ManagementContext();
        management.setCreateConnector(false);
        broker.setManagementContext(management);
        broker.setPersistenceAdapter(persistence);
        broker.setPlugins(new BrokerPlugin[] {new StatisticsBrokerPlugin()});
        broker.setEnableStatistics(true);
        // no transport connectors: vm:// only
        broker.start();
        connectionFactory = new ActiveMQConnectionFactory("vm://" + BROKER_NAME + "?create=false");
        connectionFactory.setTrustAllPackages(false);
        ActiveMQPrefetchPolicy prefetch = new ActiveMQPrefetchPolicy();
        prefetch.setQueuePrefetch(0);
        prefetch.setTopicPrefetch(0);
        connectionFactory.setPrefetchPolicy(prefetch);
        LOGGER.info("Mail queue broker started: in this JVM only (vm://{}), no network transport", BROKER_NAME);
    }

    public ConnectionFactory connectionFactory() {
        return connectionFactory;
    }

    @PreDestroy
    public void stop() throws Exception {
        broker.stop();
    }
}
