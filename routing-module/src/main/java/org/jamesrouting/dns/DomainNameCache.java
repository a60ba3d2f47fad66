package org.jamesrouting.dns;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The domain name cache: answers kept as long as their TTL says (positive and negative), at
 * most {@code maxEntries} (least recently used leave first). Failures are never cached.
 * Listing and flushing are for the operator.
 */
public final class DomainNameCache {
    public record Key(String type, String name) {
    }

    public record Entry(Key key, Object answer, Instant expires) {
    }

    private final int maxEntries;
    private final Clock clock;
    private final LinkedHashMap<Key, Entry> entries;

    public DomainNameCache(int maxEntries, Clock clock) {
        this.maxEntries = maxEntries;
        this.clock = clock;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Entry> eldest) {
                return size() > DomainNameCache.this.maxEntries;
            }
        };
    }

    public synchronized Optional<Object> get(Key key) {
        Entry entry = entries.get(key);
        if (entry == null) {
            return Optional.empty();
        }
        if (!entry.expires().isAfter(clock.instant())) {
            entries.remove(key);
            return Optional.empty();
        }
        return Optional.of(entry.answer());
    }

    /** Keeps the answer for ttl; a ttl of zero or less keeps nothing. */
    public synchronized void put(Key key, Object answer, Duration ttl) {
        if (ttl.isZero() || ttl.isNegative()) {
            return;
        }
        entries.put(key, new Entry(key, answer, clock.instant().plus(ttl)));
    }

    public synchronized List<Entry> list(Predicate<Entry> filter) {
        Instant now = clock.instant();
        entries.values().removeIf(entry -> !entry.expires().isAfter(now));
        List<Entry> result = new ArrayList<>();
        for (Entry entry : entries.values()) {
            if (filter.test(entry)) {
                result.add(entry);
            }
        }
        return result;
    }

    public synchronized int flush(Predicate<Entry> filter) {
        int before = entries.size();
        entries.values().removeIf(filter);
        return before - entries.size();
    }
}
