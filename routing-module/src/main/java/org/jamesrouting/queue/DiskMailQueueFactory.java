package org.jamesrouting.queue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueItemDecoratorFactory;
import org.apache.james.queue.api.MailQueueName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableSet;

/**
 * James's mail queues on disk ({@link DiskMailQueue}), all in one {@link QueueStore}. Every
 * queue that has mail on disk exists from the start, with its mail waiting again, whether or
 * not anything has asked for it yet. Each queue reports James's queue metrics, under the names
 * James's own queues use ({@code enqueuedMail:NAME}, {@code dequeuedMail:NAME},
 * {@code enqueueTime:NAME}, gauge {@code mailQueueSize:NAME}).
 */
public final class DiskMailQueueFactory implements MailQueueFactory<DiskMailQueue> {
    private static final Logger LOGGER = LoggerFactory.getLogger(DiskMailQueueFactory.class);

    private final QueueStore store;
    private final MailQueueItemDecoratorFactory decorators;
    private final MetricFactory metrics;
    private final GaugeRegistry gauges;
    private final AtomicLong keys;
    private final Map<MailQueueName, DiskMailQueue> queues = new ConcurrentHashMap<>();

    public DiskMailQueueFactory(QueueStore store, MailQueueItemDecoratorFactory decorators, MetricFactory metrics, GaugeRegistry gauges) {
        this.store = store;
        this.decorators = decorators;
        this.metrics = metrics;
        this.gauges = gauges;
        Set<MailQueueName> onDisk = store.mapNames().stream()
            .filter(map -> map.startsWith(DiskMailQueue.MAILS))
            .map(map -> MailQueueName.of(map.substring(DiskMailQueue.MAILS.length())))
            .collect(ImmutableSet.toImmutableSet());
        this.keys = new AtomicLong(onDisk.stream().mapToLong(name -> DiskMailQueue.lastKey(store, name)).max().orElse(0));
        onDisk.forEach(name -> {
            DiskMailQueue queue = createQueue(name);
            LOGGER.info("Mail queue {}: {} mail on disk", name.asString(), queue.getSize());
        });
    }

    @Override
    public Optional<DiskMailQueue> getQueue(MailQueueName name, PrefetchCount count) {
        return Optional.ofNullable(queues.get(name));
    }

    @Override
    public DiskMailQueue createQueue(MailQueueName name, PrefetchCount count) {
        return queues.computeIfAbsent(name, this::open);
    }

    private DiskMailQueue open(MailQueueName name) {
        try {
            DiskMailQueue queue = new DiskMailQueue(name, store, keys, decorators, metrics);
            gauges.register(MailQueue.QUEUE_SIZE_METRIC_NAME_PREFIX + name.asString(), queue::getSize);
            return queue;
        } catch (IOException e) {
            throw new UncheckedIOException("Mail queue " + name.asString() + " cannot be read from disk: " + e.getMessage(), e);
        }
    }

    @Override
    public Set<MailQueueName> listCreatedMailQueues() {
        return ImmutableSet.copyOf(queues.keySet());
    }

    /** Stops handing out mail and closes the store (the owner calls it: James's stop, a test). */
    public void stop() {
        queues.values().forEach(DiskMailQueue::dispose);
        store.close();
    }
}
