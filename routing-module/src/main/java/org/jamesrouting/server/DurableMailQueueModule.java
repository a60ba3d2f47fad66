package org.jamesrouting.server;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.ManageableMailQueue;
import org.jamesrouting.queue.DiskMailQueueFactory;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.Singleton;

/**
 * James's mail queues (the spool, {@code outgoing} and every other) on disk, in this JVM:
 * {@link DiskMailQueueFactory} on one queue store file ({@link DiskMailQueueService}), {@code var/store/queue/mail-queues.mv}
 * under the working directory. A message is on disk (fsynced, group commit) before SMTP
 * answers 250, and survives a crash. No broker, no listening socket. Replaces the memory
 * application's in-memory queue (see {@link RoutingJamesServerMain}).
 */
public class DurableMailQueueModule extends AbstractModule {
    static final String STORE_FILE = "file://var/store/queue/mail-queues.mv";

    @Override
    protected void configure() {
        bind(DiskMailQueueService.class).in(Scopes.SINGLETON);
    }

    @Provides
    @Singleton
    DiskMailQueueFactory queueFactory(DiskMailQueueService service) {
        return service.factory();
    }

    @Provides
    @Singleton
    MailQueueFactory<? extends ManageableMailQueue> manageableQueues(DiskMailQueueFactory factory) {
        return factory;
    }

    @Provides
    @Singleton
    MailQueueFactory<?> queues(DiskMailQueueFactory factory) {
        return factory;
    }

    @Provides
    @Singleton
    MailQueueFactory<? extends MailQueue> typedQueues(DiskMailQueueFactory factory) {
        return factory;
    }
}
