package org.jamesrouting.schedule;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.jamesrouting.core.AtomicFiles;
import org.jamesrouting.core.DomainNames;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The destinations the operator has put on hold (Postfix's hold queue, Exchange's
 * Suspend-Queue): their mail is not attempted and does not age while held. Kept in a JSON file
 * (written atomically) so a hold outlives a restart or {@code kill -9}. A destination is named
 * as the status and queue views name it: {@code route <id>}, {@code smart host}, or
 * {@code mx:<domain>}, or is an {@link MxSets MX set} ({@code mxset:*.google.com}: every domain
 * whose best MX host matches, see {@link DestinationPolicy}); {@link #destinationOf} also takes
 * {@code route:<id>}, {@code smarthost} and a bare domain.
 */
public final class Holds {
    /** At most this many destinations on hold at once. */
    public static final int MAX_HOLDS = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One hold: since when, and the operator's reason (may be empty). */
    public record Hold(Instant since, String reason) {
    }

    private final Path file;
    private final int maxHolds;
    private volatile Map<String, Hold> holds;

    /** @throws IllegalStateException the file exists and cannot be read */
    public Holds(Path file) {
        this(file, MAX_HOLDS);
    }

    Holds(Path file, int maxHolds) {
        this.file = file;
        this.maxHolds = maxHolds;
        this.holds = read(file);
    }

    private static Map<String, Hold> read(Path file) {
        if (!Files.exists(file)) {
            return Map.of();
        }
        try {
            Map<String, Map<String, String>> json = JSON.readValue(file.toFile(), new TypeReference<Map<String, Map<String, String>>>() { });
            Map<String, Hold> loaded = new TreeMap<>();
            json.forEach((destination, hold) -> loaded.put(destination,
                new Hold(Instant.parse(hold.get("since")), hold.getOrDefault("reason", ""))));
            return Map.copyOf(loaded);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("Cannot read the destinations on hold (" + file + "): " + e.getMessage(), e);
        }
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
        return Optional.ofNullable(holds.get(destination));
    }

    public boolean isHeld(String destination) {
        return holds.containsKey(destination);
    }

    public Map<String, Hold> all() {
        return holds;
    }

    /**
     * @return false if it was already on hold (the first hold stays)
     * @throws IllegalStateException too many holds, or the file cannot be written: nothing changed
     */
    public synchronized boolean hold(String destination, String reason, Instant now) {
        if (holds.containsKey(destination)) {
            return false;
        }
        if (holds.size() >= maxHolds) {
            throw new IllegalStateException(maxHolds + " destinations are on hold already: release some first");
        }
        Map<String, Hold> changed = new TreeMap<>(holds);
        changed.put(destination, new Hold(now, reason == null ? "" : reason));
        write(changed);
        return true;
    }

    /** @return false if it was not on hold */
    public synchronized boolean release(String destination) {
        if (!holds.containsKey(destination)) {
            return false;
        }
        Map<String, Hold> changed = new TreeMap<>(holds);
        changed.remove(destination);
        write(changed);
        return true;
    }

    private void write(Map<String, Hold> changed) {
        Map<String, Map<String, String>> json = new TreeMap<>();
        changed.forEach((destination, hold) -> json.put(destination, Map.of("since", hold.since().toString(), "reason", hold.reason())));
        try {
            Files.createDirectories(file.getParent());
            AtomicFiles.replace(file, JSON.writeValueAsBytes(json));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        holds = Map.copyOf(changed);
    }
}
