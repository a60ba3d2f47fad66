package org.jamesrouting.store;

import java.util.Optional;

/**
 * Where a shared document lives (the dynamic routing table, the pinned domain names): a JSON
 * text with a version number that grows by one on every change. Changes are compare-and-set, so
 * two nodes editing at once never lose an update: the second one is told, reads the new version
 * and tries again. Implementations: a local file ({@link FileDocumentStore}) for one server,
 * Cassandra for a cluster.
 */
public interface VersionedDocumentStore {
    /** A document as stored: version 0 and no content when it was never written. */
    record Versioned(long version, Optional<String> content) {
        public static final Versioned NONE = new Versioned(0, Optional.empty());
    }

    Versioned read();

    /** The stored version only: cheap enough to ask every second. */
    long version();

    /**
     * Stores {@code content} as version {@code expected + 1} if the stored version is still
     * {@code expected}; false (and nothing written) if another writer got there first.
     */
    boolean compareAndSet(long expected, String content);

    /** Where it is, for logs and errors: "file var/routing/dynamic-routes.json". */
    String describe();
}
