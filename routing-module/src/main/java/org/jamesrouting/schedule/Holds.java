package org.jamesrouting.schedule;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.UnaryOperator;

import org.jamesrouting.core.DomainNames;
import org.jamesrouting.store.CompareAndSetRetry;
import org.jamesrouting.store.FileDocumentStore;
import org.jamesrouting.store.StoreUnavailableException;
import org.jamesrouting.store.VersionedDocumentStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The destinations the operator has put on hold (Postfix's hold queue, Exchange's
 * Suspend-Queue): their mail is not attempted and does not age while held. Kept as a JSON
 * document in a {@link VersionedDocumentStore}: a local file (written atomically) so a hold
 * outlives a restart or {@code kill -9}, or Cassandra so that every node of a cluster holds the
 * same destinations. A destination is named as the status and queue views name it:
 * {@code route <id>}, {@code smart host}, or {@code mx:<domain>}, or is an {@link MxSets MX set}
 * ({@code mxset:*.google.com}: every domain whose best MX host matches, see
 * {@link DestinationPolicy}); {@link #destinationOf} also takes {@code route:<id>},
 * {@code smarthost} and a bare domain.
 *
 * <p>Each node keeps the mail it held itself; when another node lifts a hold, {@link #refresh}
 * notes the destination and {@link #releasedElsewhere} hands it to this node's engine, which
 * releases its own mail held for it.
 */
public final class Holds {
    private static final Logger LOGGER = LoggerFactory.getLogger(Holds.class);
    /** At most this many destinations on hold at once. */
    public static final int MAX_HOLDS = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One hold: since when, and the operator's reason (may be empty). */
    public record Hold(Instant since, String reason) {
    }

    /** {@code namesMxSets}: some hold is an MX set (worked out once per change, asked for every delivery). */
    private record State(long storedVersion, Map<String, Hold> holds, boolean namesMxSets) {
        State(long storedVersion, Map<String, Hold> holds) {
            this(storedVersion, holds, MxSets.anyIn(holds.keySet()));
        }
    }

    private final VersionedDocumentStore store;
    private final int maxHolds;
    private final ConcurrentLinkedQueue<String> releasedElsewhere = new ConcurrentLinkedQueue<>();
    private volatile State state;

    public Holds(Path file) {
        this(new FileDocumentStore(file));
    }

    /** @throws IllegalStateException the stored holds cannot be read */
    public Holds(VersionedDocumentStore store) {
        this(store, MAX_HOLDS);
    }

    Holds(Path file, int maxHolds) {
        this(new FileDocumentStore(file), maxHolds);
    }

    Holds(VersionedDocumentStore store, int maxHolds) {
        this.store = store;
        this.maxHolds = maxHolds;
        try {
            this.state = read();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("Cannot read the destinations on hold (" + store.describe() + "): " + e.getMessage(), e);
        }
    }

    private State read() throws IOException {
        VersionedDocumentStore.Versioned stored = store.read();
        Map<String, Hold> loaded = new TreeMap<>();
        if (stored.content().isPresent()) {
            Map<String, Map<String, String>> json = JSON.readValue(stored.content().get(), new TypeReference<Map<String, Map<String, String>>>() { });
            json.forEach((destination, hold) -> loaded.put(destination,
                new Hold(Instant.parse(hold.get("since")), hold.getOrDefault("reason", ""))));
        }
        return new State(stored.version(), Collections.unmodifiableMap(loaded));
    }

    /**
     * The destination as the views name it.
     *
     * @throws IllegalArgumentException not a destination
     */
    public static String destinationOf(String text) {
        String trimmed = text == null ? "" : text.trim();
        String lower = trimmed.toLowerCase(Locale.ROOT);
        if (lower.equals("smart host") || lower.equals("smarthost")) {
            return "smart host";
        }
        if (lower.equals("route") || lower.startsWith("route ") || lower.startsWith("route:")) {
            String id = trimmed.length() > 6 ? trimmed.substring(6).trim() : "";
            if (id.isEmpty() || !id.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("'" + trimmed + "': a route id is letters, digits, '.', '_' and '-'");
            }
            return "route " + id;
        }
        if (lower.startsWith(MxSets.PREFIX)) {
            return MxSets.name(trimmed.substring(MxSets.PREFIX.length()));
        }
        String domain = lower.startsWith("mx:") ? trimmed.substring(3) : trimmed;
        try {
            return "mx:" + DomainNames.normalize(domain).asString();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + trimmed + "' is not a destination: give 'route <id>', 'smart host', "
                + "'mx:<domain>' as GET /routing/status lists them, or an MX set 'mxset:<host pattern>'");
        }
    }

    public Optional<Hold> holdOf(String destination) {
        return Optional.ofNullable(state.holds().get(destination));
    }

    public boolean isHeld(String destination) {
        return state.holds().containsKey(destination);
    }

    public Map<String, Hold> all() {
        return state.holds();
    }

    /** Whether some destination on hold is an MX set. */
    public boolean namesMxSets() {
        return state.namesMxSets();
    }

    /**
     * @return false if it was already on hold (the first hold stays)
     * @throws IllegalStateException too many holds: nothing changed
     * @throws StoreUnavailableException the store cannot be written: nothing changed
     */
    public boolean hold(String destination, String reason, Instant now) {
        return edit(holds -> {
            if (holds.containsKey(destination)) {
                return null;
            }
            if (holds.size() >= maxHolds) {
                throw new IllegalStateException(maxHolds + " destinations are on hold already: release some first");
            }
            holds.put(destination, new Hold(now, reason == null ? "" : reason));
            return holds;
        });
    }

    /**
     * @return false if it was not on hold
     * @throws StoreUnavailableException the store cannot be written: nothing changed
     */
    public boolean release(String destination) {
        return edit(holds -> holds.remove(destination) == null ? null : holds);
    }

    /**
     * Reads the stored holds if another node changed them; the destinations it released are kept
     * for {@link #releasedElsewhere}.
     *
     * @return true if they changed
     * @throws StoreUnavailableException the store cannot be read: the holds in use stay
     */
    public synchronized boolean refresh() {
        if (store.version() == state.storedVersion()) {
            return false;
        }
        try {
            State before = state;
            state = read();
            before.holds().keySet().stream().filter(destination -> !state.holds().containsKey(destination)).forEach(releasedElsewhere::add);
            LOGGER.info("Destinations on hold: version {} from {}, {} on hold", state.storedVersion(), store.describe(), state.holds().size());
            return true;
        } catch (IOException | IllegalArgumentException | java.time.format.DateTimeParseException e) {
            LOGGER.error("The stored destinations on hold are not valid; keeping the ones in use: {}", e.getMessage());
            return false;
        }
    }

    /** The destinations another node released since the last call (this node releases its own mail held for them). */
    public List<String> releasedElsewhere() {
        List<String> released = new ArrayList<>();
        String destination;
        while ((destination = releasedElsewhere.poll()) != null) {
            if (!isHeld(destination)) { // not held again meanwhile
                released.add(destination);
            }
        }
        return released;
    }

    /** Applies a change (null: nothing to change) to the latest stored holds, compare-and-set; whether it changed them. */
    private synchronized boolean edit(UnaryOperator<Map<String, Hold>> change) {
        return CompareAndSetRetry.untilWon(() -> {
            State current = state;
            Map<String, Hold> next = change.apply(new TreeMap<>(current.holds()));
            if (next == null) {
                return Optional.of(false);
            }
            if (store.compareAndSet(current.storedVersion(), json(next))) {
                state = new State(current.storedVersion() + 1, Collections.unmodifiableMap(new TreeMap<>(next)));
                return Optional.of(true);
            }
            return Optional.<Boolean>empty();
        }, this::refresh).orElseThrow(() -> new IllegalStateException(
            "the destinations on hold kept changing under this edit (" + CompareAndSetRetry.ATTEMPTS + " tries): try again"));
    }

    private static String json(Map<String, Hold> holds) {
        Map<String, Map<String, String>> json = new TreeMap<>();
        holds.forEach((destination, hold) -> json.put(destination, Map.of("since", hold.since().toString(), "reason", hold.reason())));
        try {
            return JSON.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the holds as JSON", e);
        }
    }
}
