package org.jamesrouting.queue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one file every mail queue of the server lives in: H2's MVStore (a crash-safe,
 * append-only, copy-on-write B-tree store), one map per queue. A write is durable when
 * {@link #commitDurably()} returns: that call waits for a commit and an fsync that started
 * after it was made. One committer thread does them back to back, so every write that arrived
 * while the previous fsync ran shares the next one (group commit): with 20 SMTP sessions,
 * about one fsync per round of 20 messages instead of 20. Removals are not waited for: they
 * reach the disk with the next commit (at the latest MVStore's own, within a second); a crash
 * before that delivers the mail once more, never loses it.
 */
public final class QueueStore implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(QueueStore.class);

    private final MVStore store;
    private final LinkedBlockingQueue<CompletableFuture<Void>> waiting = new LinkedBlockingQueue<>();
    private final Thread committer;
    private volatile boolean open = true;

    public QueueStore(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        store = new MVStore.Builder()
            .fileName(file.toString())
            .open();
        committer = new Thread(this::commitLoop, "mail-queue-committer");
        committer.setDaemon(true);
        committer.start();
        LOGGER.info("Mail queues kept in {}, in this JVM: no broker, no network transport", file);
    }

    public MVMap<Long, byte[]> map(String name) {
        return store.openMap(name);
    }

    public java.util.Set<String> mapNames() {
        return store.getMapNames();
    }

    /** Blocks until every write made before this call is on disk (committed and synced). */
    public void commitDurably() throws IOException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        waiting.add(done);
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the mail queue was written to disk", e);
        } catch (ExecutionException e) {
            throw new IOException("the mail queue could not be written to disk", e.getCause());
        }
    }

    private void commitLoop() {
        List<CompletableFuture<Void>> batch = new ArrayList<>();
        while (open || !waiting.isEmpty()) {
            try {
                CompletableFuture<Void> first = waiting.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                waiting.drainTo(batch);
                store.commit();
                store.sync();
                batch.forEach(f -> f.complete(null));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOGGER.error("Mail queue store: commit failed; {} writers told so", batch.size(), e);
                batch.forEach(f -> f.completeExceptionally(e));
            }
            batch.clear();
        }
    }

    @Override
    public void close() {
        open = false;
        try {
            committer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
    }
}
