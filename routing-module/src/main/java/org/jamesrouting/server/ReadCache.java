package org.jamesrouting.server;

import java.time.Duration;
import java.util.concurrent.ExecutionException;

import com.google.common.base.Ticker;
import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;

/**
 * The read cache in front of a JPA table that every message consults (the domain list, the
 * recipient rewrite table): bounded (an outsider writing to many domains cannot grow it past
 * {@link #MAXIMUM_ENTRIES}), each answer kept for {@link #TIME_TO_LIVE}. Writes made through this
 * server clear it at once; a change made by another server on a shared database is seen within
 * the time to live.
 */
final class ReadCache<K, V> {
    static final Duration TIME_TO_LIVE = Duration.ofSeconds(5);
    static final long MAXIMUM_ENTRIES = 10_000;

    /** A read of the database that may fail with the store's own exception. */
    interface Read<V, E extends Exception> {
        V load() throws E;
    }

    private final Cache<K, V> cache;

    ReadCache(Ticker ticker) {
        this.cache = CacheBuilder.newBuilder()
            .maximumSize(MAXIMUM_ENTRIES)
            .expireAfterWrite(TIME_TO_LIVE)
            .ticker(ticker)
            .build();
    }

    /** A database write, which may fail with the store's own exception. */
    interface Write<E extends Exception> {
        void run() throws E;
    }

    /** The cached answer, else {@code read}'s; the read's own failures (checked or not) come out as they are. */
    <E extends Exception> V get(K key, Read<V, E> read, Class<E> failure) throws E {
        try {
            return cache.get(key, read::load);
        } catch (ExecutionException | com.google.common.util.concurrent.UncheckedExecutionException e) {
            if (failure.isInstance(e.getCause())) {
                throw failure.cast(e.getCause());
            }
            if (e.getCause() instanceof RuntimeException unchecked) {
                throw unchecked;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * A write through this server: the cache is cleared before it (a write that reads first, as
     * adding a mapping does, reads the database) and after it (the next read sees it), also when
     * it fails.
     */
    <E extends Exception> void write(Write<E> write) throws E {
        cache.invalidateAll();
        try {
            write.run();
        } finally {
            cache.invalidateAll();
        }
    }
}
