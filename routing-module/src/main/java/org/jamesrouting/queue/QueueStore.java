package org.jamesrouting.queue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one file every mail queue of the server lives in: H2's MVStore (a crash-safe,
 * append-only, copy-on-write B-tree store), one map per queue. A write is durable when
 * {@link #commitDurably()} returns: that call waits for a commit and an fsync that started
 * after it was made.
 *
 * <p>Group commit, leader style: the first writer to ask commits and syncs on its own thread
 * (no hand-off to another thread: with one SMTP session this is the shortest path); writers
 * that ask meanwhile wait, and the next of them commits once for all of them. With 20 SMTP
 * sessions that is about one fsync per round of messages instead of one per message.
 *
 * <p>Removals are not waited for: they reach the disk with the next commit, at the latest
 * within a second (the housekeeping task, which also compacts the file when less than half of
 * it is live and nothing was written for a second, so it shrinks back after a burst); a crash before that delivers the mail once more,
 * never loses it.
 */
public final class QueueStore implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(QueueStore.class);
    private static final int COMPACT_BELOW_FILL_PERCENT = 50;
    private static final int COMPACT_MAX_MILLIS = 200;

    private final MVStore store;
    private final Object commits = new Object();
    private final ScheduledExecutorService housekeeping;
    /** Tickets: each commitDurably takes the next; everything up to durable is on disk. Guarded by commits. */
    private long requested;
    private long durable;
    private boolean committing;
    /** When a writer last asked for a commit (System.nanoTime); housekeeping compacts only when none has for a second. */
    private volatile long lastWrite = System.nanoTime();

    public QueueStore(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        store = new MVStore.Builder()
            .fileName(file.toString())
            .autoCommitDisabled()
            .open();
        // Every commit is synced, so a chunk without live data may be reused at once (MVStore's
        // default keeps it 45 s for file systems that flush late): the file stays as large as
        // the queue, not as 45 s of traffic.
        store.setRetentionTime(0);
        housekeeping = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "mail-queue-housekeeping");
            thread.setDaemon(true);
            return thread;
        });
        housekeeping.scheduleWithFixedDelay(this::housekeeping, 1, 1, TimeUnit.SECONDS);
        LOGGER.info("Mail queues kept in {}, in this JVM: no broker, no network transport", file);
    }

    public MVMap<Long, byte[]> map(String name) {
        return store.openMap(name);
    }

    public Set<String> mapNames() {
        return store.getMapNames();
    }

    /** Blocks until every write made before this call is on disk (committed and synced). */
    public void commitDurably() throws IOException {
        long ticket;
        lastWrite = System.nanoTime();
        synchronized (commits) {
            ticket = ++requested;
        }
        while (true) {
            long upTo;
            synchronized (commits) {
                while (committing && durable < ticket) {
                    try {
                        commits.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while the mail queue was written to disk", e);
                    }
                }
                if (durable >= ticket) {
                    return;
                }
                committing = true;
                upTo = requested;   // their writes were made before they took their tickets
            }
            boolean done = false;
            try {
                store.commit();
                store.sync();
                done = true;
            } catch (RuntimeException e) {
                throw new IOException("the mail queue could not be written to disk: " + e.getMessage(), e);
            } finally {
                synchronized (commits) {
                    committing = false;
                    if (done) {
                        durable = Math.max(durable, upTo);
                    }
                    commits.notifyAll();
                }
            }
        }
    }

    private void housekeeping() {
        try {
            boolean quiet = System.nanoTime() - lastWrite > TimeUnit.SECONDS.toNanos(1);
            if (store.hasUnsavedChanges()) {
                commitDurably();
            }
            // compacting holds the store's lock: not while SMTP sessions wait for their 250
            if (quiet && store.getFillRate() < COMPACT_BELOW_FILL_PERCENT) {
                store.compactFile(COMPACT_MAX_MILLIS);
            }
        } catch (IOException | RuntimeException e) {
            LOGGER.warn("Mail queue store: housekeeping failed; tried again in a second", e);
        }
    }

    @Override
    public void close() {
        // not shutdownNow: an interrupt in the middle of MVStore's file write would close its channel
        housekeeping.shutdown();
        try {
            housekeeping.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
    }
}
