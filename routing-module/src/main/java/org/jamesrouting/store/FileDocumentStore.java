package org.jamesrouting.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

import org.jamesrouting.core.AtomicFiles;

/**
 * A document in a local file, readable by its owner only (it may hold relay passwords),
 * replaced atomically on every change. One server owns the file: the version lives in memory
 * (1 once the file exists) and compare-and-set only guards against writers of this process.
 */
public final class FileDocumentStore implements VersionedDocumentStore {
    private final Path file;
    private long version;

    public FileDocumentStore(Path file) {
        this.file = file;
        this.version = Files.exists(file) ? 1 : 0;
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized Versioned read() {
        try {
            return new Versioned(version, Optional.of(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (NoSuchFileException e) {
            return new Versioned(version, Optional.empty());
        } catch (IOException e) {
            throw new StoreUnavailableException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized long version() {
        return version;
    }

    @Override
    public synchronized boolean compareAndSet(long expected, String content) {
        if (expected != version) {
            return false;
        }
        try {
            AtomicFiles.replace(file, content.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new StoreUnavailableException("cannot write " + file + ": " + e.getMessage(), e);
        }
        version++;
        return true;
    }

    @Override
    public String describe() {
        return "file " + file;
    }
}
