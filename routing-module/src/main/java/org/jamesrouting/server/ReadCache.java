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

    <E extends Exception> V get(K key, Read<V, E> read, Class<E> failure) throws E {
        try {
            return cache.get(key, read::load);
        } catch (ExecutionException | com.google.common.util.concurrent.UncheckedExecutionException e) {
            if (failure.isInstance(e.getCause())) {
                throw failure.cast(e.getCause());
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    void clear() {
        cache.invalidateAll();
    }
}
