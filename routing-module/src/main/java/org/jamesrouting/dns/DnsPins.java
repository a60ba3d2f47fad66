package org.jamesrouting.dns;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

import org.jamesrouting.core.DomainNames;
import org.jamesrouting.route.MailHost;
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
 * Pinned entries of the domain name cache: "mail for this domain goes to these hosts", used
 * instead of its MX records, like a hosts file for mail. Kept as a JSON document in a
 * {@link VersionedDocumentStore} (a local file, or Cassandra for a cluster) so they survive a
 * restart and every node of a cluster uses the same ones.
 */
public class DnsPins {
    private static final Logger LOGGER = LoggerFactory.getLogger(DnsPins.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private record State(long storedVersion, Map<String, List<MailHost>> pins) {
    }

    private final VersionedDocumentStore store;
    private volatile State state;

    public DnsPins(Path file) {
        this(new FileDocumentStore(file));
    }

    /**
     * @throws IllegalStateException the stored pins cannot be read or are not valid
     */
    public DnsPins(VersionedDocumentStore store) {
        this.store = store;
        try {
            this.state = read();
        } catch (IOException | StoreUnavailableException | IllegalArgumentException e) {
            throw new IllegalStateException("Cannot read the pinned domain names (" + store.describe() + "): " + e.getMessage(), e);
        }
    }

    private State read() throws IOException {
        VersionedDocumentStore.Versioned stored = store.read();
        Map<String, List<MailHost>> loaded = new TreeMap<>();
        if (stored.content().isPresent()) {
            Map<String, List<String>> json = JSON.readValue(stored.content().get(), new TypeReference<Map<String, List<String>>>() { });
            json.forEach((domain, hosts) -> loaded.put(domain, hosts.stream().map(host -> MailHost.parse(host, MailHost.SMTP_PORT)).toList()));
        }
        return new State(stored.version(), java.util.Collections.unmodifiableMap(loaded));
    }

    public Optional<List<MailHost>> hostsFor(String domain) {
        return Optional.ofNullable(state.pins().get(domain));
    }

    public Map<String, List<MailHost>> all() {
        return state.pins();
    }

    /**
     * @throws IllegalArgumentException for a bad domain or host
     * @throws StoreUnavailableException the store cannot be written: nothing changed
     */
    public List<MailHost> pin(String domainText, List<String> hostTexts) {
        String domain = DomainNames.normalize(domainText).asString();
        if (hostTexts == null || hostTexts.isEmpty()) {
            throw new IllegalArgumentException("give at least one mail host: {\"hosts\":[\"host[:port]\"]}");
        }
        List<MailHost> hosts = new ArrayList<>();
        for (String host : hostTexts) {
            hosts.add(MailHost.parse(host, MailHost.SMTP_PORT));
        }
        List<MailHost> pinned = List.copyOf(hosts);
        edit(pins -> {
            pins.put(domain, pinned);
            return pins;
        });
        return pinned;
    }

    /** @return false if the domain had no pin */
    public boolean unpin(String domainText) {
        String domain = DomainNames.normalize(domainText).asString();
        boolean[] removed = new boolean[1];
        edit(pins -> {
            removed[0] = pins.remove(domain) != null;
            return removed[0] ? pins : null;
        });
        return removed[0];
    }

    /**
     * Reads the stored pins if another node changed them.
     *
     * @return true if they changed
     * @throws StoreUnavailableException the store cannot be read: the pins in use stay
     */
    public synchronized boolean refresh() {
        if (store.version() == state.storedVersion()) {
            return false;
        }
        try {
            state = read();
            LOGGER.info("Pinned domain names: version {} from {}, {} pin(s)", state.storedVersion(), store.describe(), state.pins().size());
            return true;
        } catch (IOException | IllegalArgumentException e) {
            LOGGER.error("The stored pinned domain names are not valid; keeping the ones in use: {}", e.getMessage());
            return false;
        }
    }

    /** Applies a change (null: nothing to change) to the latest stored pins, compare-and-set. */
    private synchronized void edit(UnaryOperator<Map<String, List<MailHost>>> change) {
        CompareAndSetRetry.untilWon(() -> {
            State current = state;
            Map<String, List<MailHost>> next = change.apply(new TreeMap<>(current.pins()));
            if (next == null) {
                return Optional.of(false);
            }
            if (store.compareAndSet(current.storedVersion(), json(next))) {
                state = new State(current.storedVersion() + 1, java.util.Collections.unmodifiableMap(new TreeMap<>(next)));
                return Optional.of(true);
            }
            return Optional.<Boolean>empty();
        }, this::refresh).orElseThrow(() -> new IllegalStateException(
            "the pinned domain names kept changing under this edit (" + CompareAndSetRetry.ATTEMPTS + " tries): try again"));
    }

    private static String json(Map<String, List<MailHost>> pins) {
        Map<String, List<String>> stored = new TreeMap<>();
        pins.forEach((domain, hosts) -> stored.put(domain, hosts.stream().map(MailHost::asString).toList()));
        try {
            return JSON.writeValueAsString(stored);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write pins as JSON", e);
        }
    }
}
