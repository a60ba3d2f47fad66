package org.jamesrouting.store;

import java.util.Optional;

/**
 * A document store shared by several RoutingTables/DnsPins in one test, as Cassandra is shared
 * by the nodes of a cluster; it can be switched "down" to answer as an unreachable store does.
 */
public final class InMemoryDocumentStore implements VersionedDocumentStore {
    private Versioned stored = Versioned.NONE;
    private boolean down;

    public synchronized void down(boolean down) {
        this.down = down;
    }

    private void check() {
        if (down) {
            throw new StoreUnavailableException("store down (test)", null);
        }
    }

    @Override
    public synchronized Versioned read() {
        check();
        return stored;
    }

    @Override
    public synchronized long version() {
        check();
        return stored.version();
    }

    @Override
    public synchronized boolean compareAndSet(long expected, String content) {
        check();
        if (stored.version() != expected) {
            return false;
        }
        stored = new Versioned(expected + 1, Optional.of(content));
        return true;
    }

    @Override
    public String describe() {
        return "memory (test)";
    }
}
