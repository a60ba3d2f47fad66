package org.jamesrouting.store;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's copies of shared documents (the dynamic routing table, the pinned domain
 * names) in step with the store: asks for the stored version every {@code interval} and reads
 * the document when it changed. While the store is unreachable the node keeps what it has, says
 * so once, and says when it is back.
 */
public final class SharedStateWatcher implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(SharedStateWatcher.class);

    /** One shared document: {@code refresh()} reads it if it changed (true then), or throws {@link StoreUnavailableException}. */
    public record Watched(String name, BooleanSupplier refresh) {
    }

    private final List<Watched> watched;
    private final ScheduledExecutorService executor;
    private volatile boolean unavailable;

    public SharedStateWatcher(List<Watched> watched, Duration interval) {
        this.watched = List.copyOf(watched);
        this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "james-routing-shared-state");
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(this::poll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One round: every document checked once. */
    void poll() {
        for (Watched document : watched) {
            try {
                if (document.refresh().getAsBoolean()) {
                    LOGGER.info("Shared {} changed on another node: now in use here", document.name());
                }
                if (unavailable) {
                    unavailable = false;
                    LOGGER.warn("The routing store is reachable again: shared routing tables and pins are in step with it");
                }
            } catch (StoreUnavailableException e) {
                if (!unavailable) {
                    unavailable = true;
                    LOGGER.warn("The routing store is unreachable: routing goes on with the tables in use; changes are refused until it is back ({})",
                        e.getMessage());
                }
            } catch (RuntimeException e) {
                LOGGER.error("Cannot refresh the shared {}", document.name(), e);
            }
        }
    }

    public boolean storeUnavailable() {
        return unavailable;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
