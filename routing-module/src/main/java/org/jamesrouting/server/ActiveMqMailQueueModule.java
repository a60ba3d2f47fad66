package org.jamesrouting.server;

import java.io.FileNotFoundException;

import javax.jms.ConnectionFactory;

import org.apache.activemq.store.PersistenceAdapter;
import org.apache.activemq.store.kahadb.KahaDBPersistenceAdapter;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.queue.activemq.ActiveMQConfiguration;
import org.apache.james.queue.activemq.ActiveMQHealthCheck;
import org.apache.james.queue.activemq.ActiveMQMailQueueFactory;
import org.apache.james.queue.activemq.metric.ActiveMQMetricCollector;
import org.apache.james.queue.activemq.metric.ActiveMQMetricCollectorImpl;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueItemDecoratorFactory;
import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;
import org.apache.james.utils.PropertiesProvider;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;

/**
 * James's mail queues (the spool, {@code outgoing} and every other) on disk: James's ActiveMQ
 * mail queue on an embedded broker reachable only inside this JVM ({@link InVmBroker}) with its
 * KahaDB store under {@code var/store/activemq} of the working directory. A message is written there before SMTP answers 250, and survives a crash.
 * Replaces the memory application's in-memory queue (see {@link RoutingJamesServerMain}).
 */
public class ActiveMqMailQueueModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(PersistenceAdapter.class).to(KahaDBPersistenceAdapter.class);
        bind(InVmBroker.class).in(Scopes.SINGLETON);
        bind(ActiveMQMetricCollector.class).to(ActiveMQMetricCollectorImpl.class);
        bind(ActiveMQMetricCollectorImpl.class).in(Scopes.SINGLETON);
        Multibinder.newSetBinder(binder(), HealthCheck.class).addBinding().to(ActiveMQHealthCheck.class);
    }

    /**
     * KahaDB with every queue write stored before it is dispatched. ActiveMQ's default
     * (concurrent store and dispatch) left a deferred mail stranded after a kill -9: listed in
     * {@code outgoing}, due, yet never handed to a consumer again, not even by a flush
     * (DurabilityIT reproduced it in 2 runs of 2).
     */
    @Provides
    @Singleton
    KahaDBPersistenceAdapter kahaDb() {
        KahaDBPersistenceAdapter adapter = new KahaDBPersistenceAdapter();
        adapter.setConcurrentStoreAndDispatchQueues(false);
        return adapter;
    }

    @Provides
    @Singleton
    ConnectionFactory connectionFactory(InVmBroker broker) {
        return broker.connectionFactory();
    }

    /** James's queue factory on our in-VM broker (its other constructor would start James's broker, which listens on TCP). */
    @Provides
    @Singleton
    ActiveMQMailQueueFactory queueFactory(ConnectionFactory connections, MailQueueItemDecoratorFactory decorators, MetricFactory metrics,
                                          GaugeRegistry gauges, ActiveMQMetricCollector collector) {
        return new ActiveMQMailQueueFactory(connections, decorators, metrics, gauges, collector);
    }

    /**
     * Messages are stored inside the JMS message, in KahaDB's journal, rather than as James's
     * default "blob" files beside it: the journal is synced before SMTP answers 250, James's blob
     * files are written without fsync (after a power cut the queue could point at an empty
     * file), and each message costs two file creations and deletions less (spool, then outgoing
     * when deferred). KahaDB takes records larger than a journal file (BadInputIT relays 50 MB).
     */
    @Provides
    @Singleton
    MailQueueFactory<? extends ManageableMailQueue> manageableQueues(ActiveMQMailQueueFactory factory) {
        factory.setUseJMX(false);
        factory.setUseBlobMessages(false);
        factory.init();
        return factory;
    }

    @Provides
    @Singleton
    MailQueueFactory<?> queues(MailQueueFactory<? extends ManageableMailQueue> factory) {
        return factory;
    }

    @Provides
    @Singleton
    MailQueueFactory<? extends MailQueue> typedQueues(MailQueueFactory<? extends ManageableMailQueue> factory) {
        return factory;
    }

    @Provides
    @Singleton
    ActiveMQConfiguration configuration(PropertiesProvider properties) throws ConfigurationException {
        try {
            return ActiveMQConfiguration.from(properties.getConfigurations("activemq"));
        } catch (FileNotFoundException e) {
            return ActiveMQConfiguration.getDefault();
        }
    }

    @ProvidesIntoSet
    InitializationOperation metrics(ActiveMQMetricCollector collector) {
        return InitilizationOperationBuilder.forClass(ActiveMQMetricCollector.class).init(collector::start);
    }
}
