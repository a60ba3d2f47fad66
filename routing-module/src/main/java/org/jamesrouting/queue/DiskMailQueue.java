package org.jamesrouting.queue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import javax.mail.MessagingException;

import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.TimeMetric;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueItemDecoratorFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.mailet.Mail;
import org.h2.mvstore.MVMap;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * One of James's mail queues (the spool, {@code outgoing}, ...) on disk in the server's
 * {@link QueueStore}: two maps, {@code mail.NAME} (key -> the whole mail, {@link MailCodec})
 * and {@code meta.NAME} (key -> when it is due and its envelope). In memory: the envelope and
 * due time of every waiting mail in due order, and the mail handed out and not yet done.
 *
 * <p>{@link #enQueue} returns once the mail is on disk (group commit). A consumer gets the mail
 * whose time has come the moment it comes (a delay queue: no polling window). Done with
 * success (or rejected), the mail leaves the disk; done with "retry", it waits again at once.
 * After a crash, every mail on disk is waiting again: mail being handled at the crash is
 * handled once more.
 */
public final class DiskMailQueue implements ManageableMailQueue {
    private static final Logger LOGGER = LoggerFactory.getLogger(DiskMailQueue.class);
    /** The store's maps of a queue: "mail." + its name (the mail), "meta." + its name (due time and envelope). */
    static final String MAILS = "mail.";
    private static final String META = "meta.";

    private final MailQueueName name;
    private final QueueStore store;
    private final MVMap<Long, byte[]> mails;
    private final MVMap<Long, byte[]> meta;
    private final AtomicLong keys;
    private final DelayQueue<Waiting> waiting = new DelayQueue<>();
    private final Map<Long, Waiting> handedOut = new ConcurrentHashMap<>();
    private final Scheduler scheduler;
    private final Flux<MailQueueItem> items;
    private final MetricFactory metrics;
    private final String enqueueTimer;
    private final Metric enqueued;
    private final Metric dequeued;
    private volatile boolean disposed;

    DiskMailQueue(MailQueueName name, QueueStore store, AtomicLong keys, MailQueueItemDecoratorFactory decorators, MetricFactory metrics)
        throws IOException {
        this.name = name;
        this.metrics = metrics;
        this.enqueueTimer = ENQUEUED_TIMER_METRIC_NAME_PREFIX + name.asString();
        this.enqueued = metrics.generate(ENQUEUED_METRIC_NAME_PREFIX + name.asString());
        this.dequeued = metrics.generate(DEQUEUED_METRIC_NAME_PREFIX + name.asString());
        this.store = store;
        this.mails = store.map(MAILS + name.asString());
        this.meta = store.map(META + name.asString());
        this.keys = keys;
        for (Map.Entry<Long, byte[]> entry : meta.entrySet()) {
            waiting.add(Waiting.read(entry.getKey(), entry.getValue()));
        }
        this.scheduler = Schedulers.newSingle("mail-queue-" + name.asString());
        this.items = Mono.fromCallable(this::takeNext)
            .onErrorResume(InterruptedException.class, stopped -> Mono.empty())
            .repeat(() -> !disposed)
            .subscribeOn(scheduler)
            .filter(Optional::isPresent)
            .map(item -> decorators.decorate(item.get(), name));
    }

    static long lastKey(QueueStore store, MailQueueName name) {
        Long last = store.map(MAILS + name.asString()).lastKey();
        return last == null ? 0 : last;
    }

    @Override
    public MailQueueName getName() {
        return name;
    }

    @Override
    public void enQueue(Mail mail, Duration delay) throws MailQueueException {
        TimeMetric timer = metrics.timer(enqueueTimer);
        try {
            store(mail, delay);
            enqueued.increment();
        } finally {
            timer.stopAndPublish();
        }
    }

    private void store(Mail mail, Duration delay) throws MailQueueException {
        Instant due = dueAfter(delay);
        long key = keys.incrementAndGet();
        Waiting entry;
        try {
            entry = new Waiting(key, due.toEpochMilli(), MailCodec.Envelope.of(mail));
            byte[] envelope = MailCodec.encodeEnvelope(entry.envelope);
            mails.put(key, MailCodec.encode(mail, envelope));
            meta.put(key, entry.write(envelope));
            store.commitDurably();
        } catch (IOException | MessagingException e) {
            mails.remove(key);
            meta.remove(key);
            throw new MailQueueException("Mail " + mail.getName() + " could not be queued in " + name.asString() + ": " + e.getMessage(), e);
        }
        waiting.add(entry);
    }

    private Instant dueAfter(Duration delay) {
        Instant now = Instant.now();
        if (delay == null || delay.isNegative() || delay.isZero()) {
            return now;
        }
        try {
            return now.plus(delay);
        } catch (ArithmeticException | java.time.DateTimeException e) {
            return Instant.ofEpochMilli(Long.MAX_VALUE);
        }
    }

    @Override
    public void enQueue(Mail mail) throws MailQueueException {
        enQueue(mail, Duration.ZERO);
    }

    @Override
    public Publisher<Void> enqueueReactive(Mail mail) {
        return Mono.fromRunnable(() -> {
            try {
                enQueue(mail);
            } catch (MailQueueException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }).subscribeOn(Schedulers.boundedElastic()).then();
    }

    @Override
    public Publisher<MailQueueItem> deQueue() {
        return items;
    }

    /** The next mail whose time has come (waits for it); empty when it was removed meanwhile. */
    private Optional<MailQueueItem> takeNext() throws InterruptedException {
        Waiting next = waiting.take();
        byte[] record = mails.get(next.key);
        if (record == null) {
            return Optional.empty();
        }
        try {
            Mail mail = MailCodec.decode(record);
            handedOut.put(next.key, next);
            dequeued.increment();
            return Optional.of(new Item(mail, next));
        } catch (IOException | MessagingException | RuntimeException e) {
            // Kept on disk, out of the way of the rest; read again at the next start.
            LOGGER.error("Mail queue {}: the mail stored under key {} cannot be read; it stays on disk and is tried again at the next start", name.asString(), next.key, e);
            return Optional.empty();
        }
    }

    private void done(Waiting entry, MailQueueItem.CompletionStatus status) {
        handedOut.remove(entry.key);
        if (status == MailQueueItem.CompletionStatus.RETRY) {
            waiting.add(entry.dueAt(System.currentTimeMillis()));
        } else {
            forget(entry.key);
        }
    }

    private void forget(long key) {
        mails.remove(key);
        meta.remove(key);
    }

    @Override
    public long getSize() {
        return waiting.size() + handedOut.size();
    }

    /** Every waiting mail due now (kept so: a restart does not put the delays back). */
    @Override
    public long flush() throws MailQueueException {
        long now = System.currentTimeMillis();
        long count = 0;
        for (Waiting entry : waiting.toArray(new Waiting[0])) {
            if (entry.due > now && waiting.remove(entry)) {
                Waiting due = entry.dueAt(now);
                byte[] old = meta.get(entry.key);
                if (old != null) {
                    meta.put(entry.key, due.write(Arrays.copyOfRange(old, Long.BYTES, old.length)));
                }
                waiting.add(due);
                count++;
            }
        }
        if (count > 0) {
            commit();
        }
        return count;
    }

    @Override
    public long clear() throws MailQueueException {
        return removeWhere(entry -> true);
    }

    @Override
    public long remove(Type type, String value) throws MailQueueException {
        return switch (type) {
            case Name -> removeWhere(entry -> entry.envelope.name().equals(value));
            case Sender -> removeWhere(entry -> entry.envelope.sender().asString().equals(value));
            case Recipient -> removeWhere(entry -> entry.envelope.hasRecipient(value));
        };
    }

    private long removeWhere(Predicate<Waiting> which) throws MailQueueException {
        long count = 0;
        for (Waiting entry : waiting.toArray(new Waiting[0])) {
            if (which.test(entry) && waiting.remove(entry)) {
                forget(entry.key);
                count++;
            }
        }
        if (count > 0) {
            commit();
        }
        return count;
    }

    private void commit() throws MailQueueException {
        try {
            store.commitDurably();
        } catch (IOException e) {
            throw new MailQueueException("Mail queue " + name.asString() + ": " + e.getMessage(), e);
        }
    }

    /** The waiting mail in due order (not the mail being handled), each read from disk as the iterator reaches it. */
    @Override
    public MailQueueIterator browse() {
        List<Waiting> snapshot = Arrays.stream(waiting.toArray(new Waiting[0]))
            .sorted(Comparator.naturalOrder())
            .toList();
        Iterator<Waiting> entries = snapshot.iterator();
        return new MailQueueIterator() {
            private MailQueueItemView next = advance();

            private MailQueueItemView advance() {
                while (entries.hasNext()) {
                    Waiting entry = entries.next();
                    byte[] record = mails.get(entry.key);
                    if (record == null) {
                        continue;
                    }
                    try {
                        return new DefaultMailQueueItemView(MailCodec.decode(record),
                            ZonedDateTime.ofInstant(Instant.ofEpochMilli(entry.due), ZoneOffset.UTC));
                    } catch (IOException | MessagingException | RuntimeException e) {
                        LOGGER.warn("Mail queue {}: the mail stored under key {} cannot be read", name.asString(), entry.key, e);
                    }
                }
                return null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public MailQueueItemView next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                MailQueueItemView current = next;
                next = advance();
                return current;
            }

            @Override
            public void close() {
            }
        };
    }

    /** Queues live as long as the server: the factory closes them at its end. */
    @Override
    public void close() {
    }

    void dispose() {
        disposed = true;
        scheduler.dispose();
    }

    private final class Item implements MailQueueItem {
        private final Mail mail;
        private final Waiting entry;

        Item(Mail mail, Waiting entry) {
            this.mail = mail;
            this.entry = entry;
        }

        @Override
        public Mail getMail() {
            return mail;
        }

        @Override
        public void done(CompletionStatus status) {
            DiskMailQueue.this.done(entry, status);
        }
    }

    /** A waiting mail: its key, when it is due (epoch ms) and its envelope. */
    static final class Waiting implements Delayed {
        final long key;
        final long due;
        final MailCodec.Envelope envelope;

        Waiting(long key, long due, MailCodec.Envelope envelope) {
            this.key = key;
            this.due = due;
            this.envelope = envelope;
        }

        static Waiting read(long key, byte[] meta) throws IOException {
            return new Waiting(key, ByteBuffer.wrap(meta).getLong(), MailCodec.envelope(meta, Long.BYTES));
        }

        byte[] write(byte[] envelopeBytes) {
            return ByteBuffer.allocate(Long.BYTES + envelopeBytes.length).putLong(due).put(envelopeBytes).array();
        }

        Waiting dueAt(long millis) {
            return new Waiting(key, millis, envelope);
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(due - System.currentTimeMillis(), TimeUnit.MILLISECONDS);
        }

        /** Due order, then queue order. */
        @Override
        public int compareTo(Delayed other) {
            Waiting that = (Waiting) other;
            int byDue = Long.compare(due, that.due);
            return byDue != 0 ? byDue : Long.compare(key, that.key);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Waiting that && that.key == key;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(key);
        }
    }
}
