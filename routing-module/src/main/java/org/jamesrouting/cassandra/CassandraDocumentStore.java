package org.jamesrouting.cassandra;

import static org.jamesrouting.cassandra.CassandraRoutingSchema.CHUNK;
import static org.jamesrouting.cassandra.CassandraRoutingSchema.CHUNKS;
import static org.jamesrouting.cassandra.CassandraRoutingSchema.CHUNK_COUNT;
import static org.jamesrouting.cassandra.CassandraRoutingSchema.CONTENT;
import static org.jamesrouting.cassandra.CassandraRoutingSchema.DOCUMENTS;
import static org.jamesrouting.cassandra.CassandraRoutingSchema.GENERATION;
import static org.jamesrouting.cassandra.CassandraRoutingSchema.NAME;
import static org.jamesrouting.cassandra.CassandraRoutingSchema.VERSION;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jamesrouting.store.StoreUnavailableException;
import org.jamesrouting.store.VersionedDocumentStore;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;

/**
 * A shared document in Cassandra. The content of each version is written first, in chunks
 * under a new generation id; then the document row is switched to it with a lightweight
 * transaction ({@code IF version = expected}), so of two nodes changing it at once exactly one
 * wins and the other is told to retry. The losing generation, and the replaced one, are deleted.
 * A reader that meets a generation deleted under it reads the document row again.
 */
public final class CassandraDocumentStore implements VersionedDocumentStore {
    static final int CHUNK_CHARS = 256 * 1024;
    private static final int READ_ATTEMPTS = 5;

    private final CqlSession session;
    private final String name;
    private final PreparedStatement selectHead;
    private final PreparedStatement selectVersion;
    private final PreparedStatement insertHead;
    private final PreparedStatement updateHead;
    private final PreparedStatement selectChunks;
    private final PreparedStatement insertChunk;
    private final PreparedStatement deleteChunks;

    public CassandraDocumentStore(CqlSession session, String name) {
        this.session = session;
        this.name = name;
        this.selectHead = session.prepare("SELECT " + VERSION + ", " + GENERATION + ", " + CHUNK_COUNT + " FROM " + DOCUMENTS
            + " WHERE " + NAME + " = ?");
        this.selectVersion = session.prepare("SELECT " + VERSION + " FROM " + DOCUMENTS + " WHERE " + NAME + " = ?");
        this.insertHead = session.prepare("INSERT INTO " + DOCUMENTS + " (" + NAME + ", " + VERSION + ", " + GENERATION + ", " + CHUNK_COUNT
            + ") VALUES (?, 1, ?, ?) IF NOT EXISTS");
        this.updateHead = session.prepare("UPDATE " + DOCUMENTS + " SET " + VERSION + " = ?, " + GENERATION + " = ?, " + CHUNK_COUNT
            + " = ? WHERE " + NAME + " = ? IF " + VERSION + " = ?");
        this.selectChunks = session.prepare("SELECT " + CHUNK + ", " + CONTENT + " FROM " + CHUNKS + " WHERE " + NAME + " = ? AND "
            + GENERATION + " = ?");
        this.insertChunk = session.prepare("INSERT INTO " + CHUNKS + " (" + NAME + ", " + GENERATION + ", " + CHUNK + ", " + CONTENT
            + ") VALUES (?, ?, ?, ?)");
        this.deleteChunks = session.prepare("DELETE FROM " + CHUNKS + " WHERE " + NAME + " = ? AND " + GENERATION + " = ?");
    }

    private record Head(long version, UUID generation, int chunks) {
    }

    @Override
    public Versioned read() {
        try {
            for (int attempt = 1; attempt <= READ_ATTEMPTS; attempt++) {
                Optional<Head> head = head();
                if (head.isEmpty()) {
                    return Versioned.NONE;
                }
                Optional<String> content = content(head.get());
                if (content.isPresent()) {
                    return new Versioned(head.get().version(), content);
                }
            }
            throw new StoreUnavailableException(describe() + " kept changing while being read (" + READ_ATTEMPTS + " tries)", null);
        } catch (DriverException e) {
            throw unavailable("read", e);
        }
    }

    @Override
    public long version() {
        try {
            Row row = session.execute(selectVersion.bind(name).setConsistencyLevel(ConsistencyLevel.SERIAL)).one();
            return row == null ? 0 : row.getLong(VERSION);
        } catch (DriverException e) {
            throw unavailable("read", e);
        }
    }

    @Override
    public boolean compareAndSet(long expected, String content) {
        UUID generation = UUID.randomUUID();
        try {
            List<String> chunks = chunks(content);
            for (int i = 0; i < chunks.size(); i++) {
                session.execute(insertChunk.bind(name, generation, i, chunks.get(i)));
            }
            Optional<Head> replaced = expected == 0 ? Optional.empty() : head();
            boolean applied = expected == 0
                ? session.execute(insertHead.bind(name, generation, chunks.size())).wasApplied()
                : session.execute(updateHead.bind(expected + 1, generation, chunks.size(), name, expected)).wasApplied();
            UUID obsolete = applied ? replaced.filter(head -> head.version() == expected).map(Head::generation).orElse(null) : generation;
            if (obsolete != null) {
                session.execute(deleteChunks.bind(name, obsolete));
            }
            return applied;
        } catch (DriverException e) {
            throw unavailable("write", e);
        }
    }

    @Override
    public String describe() {
        return "Cassandra document '" + name + "' (" + session.getKeyspace().map(Object::toString).orElse("?") + "." + DOCUMENTS + ")";
    }

    private Optional<Head> head() {
        Row row = session.execute(selectHead.bind(name).setConsistencyLevel(ConsistencyLevel.SERIAL)).one();
        if (row == null) {
            return Optional.empty();
        }
        return Optional.of(new Head(row.getLong(VERSION), row.getUuid(GENERATION), row.getInt(CHUNK_COUNT)));
    }

    /** Empty when the generation is gone or incomplete (replaced meanwhile). */
    private Optional<String> content(Head head) {
        StringBuilder content = new StringBuilder();
        int count = 0;
        for (Row row : session.execute(selectChunks.bind(name, head.generation()))) {
            if (row.getInt(CHUNK) != count) {
                return Optional.empty();
            }
            content.append(row.getString(CONTENT));
            count++;
        }
        return count == head.chunks() ? Optional.of(content.toString()) : Optional.empty();
    }

    /** The content in pieces of at most {@link #CHUNK_CHARS} characters, never splitting a surrogate pair; at least one. */
    static List<String> chunks(String content) {
        List<String> chunks = new ArrayList<>();
        int start = 0;
        do {
            int end = Math.min(content.length(), start + CHUNK_CHARS);
            if (end < content.length() && Character.isHighSurrogate(content.charAt(end - 1))) {
                end--;
            }
            chunks.add(content.substring(start, end));
            start = end;
        } while (start < content.length());
        return chunks;
    }

    private StoreUnavailableException unavailable(String what, DriverException e) {
        return new StoreUnavailableException("cannot " + what + " " + describe() + ": " + e.getMessage(), e);
    }
}
