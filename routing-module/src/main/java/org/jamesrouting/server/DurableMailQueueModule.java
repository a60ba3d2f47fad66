package org.jamesrouting.server;

import java.io.FileNotFoundException;
import java.io.IOException;

import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueItemDecoratorFactory;
import org.apache.james.queue.api.ManageableMailQueue;
import org.jamesrouting.queue.DiskMailQueueFactory;
import org.jamesrouting.queue.QueueStore;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;

/**
 * James's mail queues (the spool, {@code outgoing} and every other) on disk, in this JVM:
 * {@link DiskMailQueueFactory} on one {@link QueueStore} file, {@code var/store/queue/mail-queues.mv}
 * under the working directory. A message is on disk (fsynced, group commit) before SMTP
 * answers 250, and survives a crash. No broker, no listening socket. Replaces the memory
 * application's in-memory queue (see {@link RoutingJamesServerMain}).
 */
public class DurableMailQueueModule extends AbstractModule {
    static final String STORE_FILE = "file://var/store/queue/mail-queues.mv";

    @Provides
    @Singleton
    QueueStore store(FileSystem fileSystem) throws IOException {
        try {
            return new QueueStore(fileSystem.getFile(STORE_FILE).toPath());
        } catch (FileNotFoundException e) {
            throw new IOException("mail queue store " + STORE_FILE + ": " + e.getMessage(), e);
        }
    }

    @Provides
    @Singleton
    DiskMailQueueFactory queueFactory(QueueStore store, MailQueueItemDecoratorFactory decorators) {
        return new DiskMailQueueFactory(store, decorators);
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
