package org.jamesrouting.server;

import java.io.IOException;

import javax.annotation.PreDestroy;
import javax.inject.Inject;

import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.queue.api.MailQueueItemDecoratorFactory;
import org.jamesrouting.queue.DiskMailQueueFactory;
import org.jamesrouting.queue.QueueStore;

/**
 * The server's disk mail queues for as long as James runs: opens the queue store under the
 * working directory ({@link DurableMailQueueModule#STORE_FILE}) and closes it when James stops,
 * so that a server started again in the same JVM (or process) finds the file unlocked.
 * Constructor-injected, so that James's stop calls {@link #stop()}.
 */
public class DiskMailQueueService {
    private final DiskMailQueueFactory factory;

    @Inject
    public DiskMailQueueService(FileSystem fileSystem, MailQueueItemDecoratorFactory decorators, MetricFactory metrics, GaugeRegistry gauges)
        throws IOException {
        this.factory = new DiskMailQueueFactory(new QueueStore(fileSystem.getFile(DurableMailQueueModule.STORE_FILE).toPath()), decorators,
            metrics, gauges);
    }

    public DiskMailQueueFactory factory() {
        return factory;
    }

    @PreDestroy
    public void stop() {
        factory.stop();
    }
}
