package org.jamesrouting.bench;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.activemq.artemis.core.io.nio.NIOSequentialFileFactory;
import org.apache.activemq.artemis.core.journal.impl.JournalImpl;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteOptions;

/**
 * The storage engines that were candidates for the durable mail queue, side by side, under the
 * queue's own load: THREADS writers (the SMTP sessions), each storing a message of SIZE bytes
 * durably (on disk, fsynced, before it returns: the 250), reading it back (the spool taking it;
 * where the engine can), and deleting it (delivered; not synced: a delete lost in a crash means
 * a duplicate delivery, never a lost message). Prints messages/s and the p50/p99 time of the
 * durable store.
 *
 * <pre>java -cp ... org.jamesrouting.bench.QueueStoresBench DIR [SECONDS]</pre>
 */
public final class QueueStoresBench {
    interface Store extends AutoCloseable {
        void putDurably(long key, byte[] value) throws Exception;

        /** null where the engine cannot read one record back (Artemis's journal: only at load). */
        byte[] get(long key) throws Exception;

        void delete(long key) throws Exception;
    }

    /** RocksDB: sync=true writes; concurrent writers share one WAL write and fsync (its write group). */
    static final class Rocks implements Store {
        static {
            RocksDB.loadLibrary();
        }

        private final RocksDB db;
        private final Options options;
        private final WriteOptions sync = new WriteOptions().setSync(true);
        private final WriteOptions lazy = new WriteOptions();

        Rocks(Path dir) throws Exception {
            options = new Options().setCreateIfMissing(true).setEnablePipelinedWrite(false);
            db = RocksDB.open(options, dir.toString());
        }

        public void putDurably(long key, byte[] value) throws Exception {
            db.put(sync, bytes(key), value);
        }

        public byte[] get(long key) throws Exception {
            return db.get(bytes(key));
        }

        public void delete(long key) throws Exception {
            db.delete(lazy, bytes(key));
        }

        public void close() {
            db.close();
            options.close();
        }
    }

    /**
     * H2's MVStore: puts go to the in-memory map; the writer that asks first commits and syncs
     * on its own thread, writers that ask meanwhile wait and share the next commit (a group
     * commit of ours, leader style, as org.jamesrouting.queue.QueueStore: MVStore itself
     * neither syncs nor groups).
     */
    static final class MvStore implements Store {
        private final MVStore store;
        private final MVMap<Long, byte[]> map;
        private final Object commits = new Object();
        private long requested;
        private long durable;
        private boolean committing;

        MvStore(Path dir) {
            store = new MVStore.Builder().fileName(dir.resolve("queue.mv").toString()).autoCommitDisabled().open();
            map = store.openMap("mail");
        }

        public void putDurably(long key, byte[] value) throws Exception {
            map.put(key, value);
            long ticket;
            synchronized (commits) {
                ticket = ++requested;
            }
            while (true) {
                long upTo;
                synchronized (commits) {
                    while (committing && durable < ticket) {
                        commits.wait();
                    }
                    if (durable >= ticket) {
                        return;
                    }
                    committing = true;
                    upTo = requested;
                }
                boolean done = false;
                try {
                    store.commit();
                    store.sync();
                    done = true;
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

        public byte[] get(long key) {
            return map.get(key);
        }

        public void delete(long key) {
            map.remove(key);
        }

        public void close() {
            store.close();
        }
    }

    /** ActiveMQ Artemis's journal (NIO, its timed buffer groups the syncs of concurrent appends). */
    static final class Artemis implements Store {
        private final JournalImpl journal;

        Artemis(Path dir) throws Exception {
            NIOSequentialFileFactory files = new NIOSequentialFileFactory(dir.toFile(), true, 490 * 1024, 4_000, 1, false);
            journal = new JournalImpl(10 * 1024 * 1024, 2, 10, 0, 30, files, "mail", "jrn", 1);
            journal.start();
            journal.load(new ArrayList<>(), new ArrayList<>(), null, false);
        }

        public void putDurably(long key, byte[] value) throws Exception {
            journal.appendAddRecord(key, (byte) 1, value, true);
        }

        public byte[] get(long key) {
            return null;
        }

        public void delete(long key) throws Exception {
            journal.appendDeleteRecord(key, false);
        }

        public void close() throws Exception {
            journal.stop();
        }
    }

    private QueueStoresBench() {
    }

    static byte[] bytes(long key) {
        return ByteBuffer.allocate(8).putLong(key).array();
    }

    interface Opener {
        Store open(Path dir) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String[] names = {"rocksdb", "mvstore", "artemis-journal"};
        Opener[] openers = {Rocks::new, MvStore::new, Artemis::new};
        System.out.printf("%-16s %8s %8s %12s %10s %10s%n", "engine", "size", "threads", "messages/s", "p50 ms", "p99 ms");
        for (int size : new int[] {2048, 102_400}) {
            for (int threads : new int[] {1, 20}) {
                for (int i = 0; i < names.length; i++) {
                    Path dir = Files.createDirectories(root.resolve(names[i] + "-" + size + "-" + threads));
                    try (Store store = openers[i].open(dir)) {
                        run(store, size, threads, 1);               // warm-up
                        double[] r = run(store, size, threads, seconds);
                        System.out.printf("%-16s %8d %8d %12.0f %10.2f %10.2f%n", names[i], size, threads, r[0], r[1], r[2]);
                    }
                    deleteTree(dir.toFile());
                }
            }
        }
    }

    /** messages/s, p50 and p99 of the durable put in ms. */
    static double[] run(Store store, int size, int threads, int seconds) throws Exception {
        AtomicLong keys = new AtomicLong(System.nanoTime());
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<long[]> latencies = new ArrayList<>();
        AtomicLong done = new AtomicLong();
        CountDownLatch finished = new CountDownLatch(threads);
        Exception[] failure = new Exception[1];
        for (int t = 0; t < threads; t++) {
            long[] mine = new long[2_000_000];
            latencies.add(mine);
            new Thread(() -> {
                byte[] value = new byte[size];
                Arrays.fill(value, (byte) 'x');
                int n = 0;
                try {
                    while (System.nanoTime() < end) {
                        long key = keys.incrementAndGet();
                        long t0 = System.nanoTime();
                        store.putDurably(key, value);
                        mine[n++ % mine.length] = System.nanoTime() - t0;
                        byte[] back = store.get(key);
                        if (back != null && back.length != size) {
                            throw new IllegalStateException("read back " + back.length + " bytes");
                        }
                        store.delete(key);
                    }
                } catch (Exception e) {
                    failure[0] = e;
                }
                done.addAndGet(n);
                mine[mine.length - 1] = n;
                finished.countDown();
            }).start();
        }
        finished.await();
        if (failure[0] != null) {
            throw failure[0];
        }
        long[] all = latencies.stream()
            .flatMapToLong(l -> Arrays.stream(l, 0, (int) Math.min(l[l.length - 1], l.length - 1)))
            .sorted().toArray();
        return new double[] {done.get() / (double) seconds, percentile(all, 0.50), percentile(all, 0.99)};
    }

    static double percentile(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1e6;
    }

    static void deleteTree(File f) {
        File[] children = f.listFiles();
        if (children != null) {
            Arrays.stream(children).sorted(Comparator.reverseOrder()).forEach(QueueStoresBench::deleteTree);
        }
        f.delete();
    }
}
