package org.jamesrouting.dns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.jamesrouting.core.AtomicFiles;
import org.jamesrouting.core.DomainNames;
import org.jamesrouting.route.MailHost;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * Pinned entries of the domain name cache: "mail for this domain goes to these hosts", used
 * instead of its MX records, like a hosts file for mail. Kept in a JSON file (written
 * atomically) so they survive a restart.
 */
public class DnsPins {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    private volatile Map<String, List<MailHost>> pins;

    public DnsPins(Path file) {
        this.file = file;
        try {
            Map<String, List<MailHost>> loaded = new TreeMap<>();
            if (Files.exists(file)) {
                Map<String, List<String>> stored = JSON.readValue(file.toFile(), new TypeReference<Map<String, List<String>>>() { });
                stored.forEach((domain, hosts) -> loaded.put(domain, hosts.stream().map(host -> MailHost.parse(host, MailHost.SMTP_PORT)).toList()));
            }
            this.pins = Map.copyOf(loaded);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("Cannot read the pinned domain names in " + file + ": " + e.getMessage(), e);
        }
    }

    public Optional<List<MailHost>> hostsFor(String domain) {
        return Optional.ofNullable(pins.get(domain));
    }

    public Map<String, List<MailHost>> all() {
        return pins;
    }

    /**
     * @throws IllegalArgumentException for a bad domain or host
     */
    public synchronized List<MailHost> pin(String domainText, List<String> hostTexts) {
        String domain = DomainNames.normalize(domainText).asString();
        if (hostTexts == null || hostTexts.isEmpty()) {
            throw new IllegalArgumentException("give at least one mail host: {\"hosts\":[\"host[:port]\"]}");
        }
        List<MailHost> hosts = new ArrayList<>();
        for (String host : hostTexts) {
            hosts.add(MailHost.parse(host, MailHost.SMTP_PORT));
        }
        Map<String, List<MailHost>> next = new TreeMap<>(pins);
        next.put(domain, List.copyOf(hosts));
        save(next);
        return hosts;
    }

    public synchronized boolean unpin(String domainText) {
        String domain = DomainNames.normalize(domainText).asString();
        if (!pins.containsKey(domain)) {
            return false;
        }
        Map<String, List<MailHost>> next = new TreeMap<>(pins);
        next.remove(domain);
        save(next);
        return true;
    }

    private void save(Map<String, List<MailHost>> next) {
        try {
            Map<String, List<String>> stored = new TreeMap<>();
            next.forEach((domain, hosts) -> stored.put(domain, hosts.stream().map(MailHost::asString).toList()));
            AtomicFiles.replace(file, JSON.writeValueAsBytes(stored));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot store the pinned domain names: " + e.getMessage(), e);
        }
        pins = Map.copyOf(next);
    }
}
