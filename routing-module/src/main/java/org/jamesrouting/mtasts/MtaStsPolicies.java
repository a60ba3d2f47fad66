package org.jamesrouting.mtasts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.jamesrouting.core.AtomicFiles;
import org.jamesrouting.dns.MailDns;
import org.jamesrouting.dns.TxtLookup;
import org.jamesrouting.route.TlsMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The MTA-STS policies of recipient domains (RFC 8461 §5): the {@code _mta-sts} TXT record
 * asked through our DNS servers, the policy fetched when its id is new, kept for its
 * {@code max_age} in memory and in a file (so a restart does not open the window a policy
 * closes), at most {@code maxDomains} of them (least recently used leave first).
 * <p>
 * As the RFC says: a cached policy that has not expired applies even when the TXT record is
 * gone or DNS fails (else an attacker who blocks DNS would strip it); a new id with a policy
 * that cannot be fetched leaves the cached one in force, and with none cached the domain is
 * treated as having no policy (after a failed fetch, not asked again for
 * {@link #FETCH_FAILURE_PAUSE}).
 */
public final class MtaStsPolicies {
    private static final Logger LOGGER = LoggerFactory.getLogger(MtaStsPolicies.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** How long a domain whose policy could not be fetched is not asked again (its cached policy, if any, applies meanwhile). */
    public static final Duration FETCH_FAILURE_PAUSE = Duration.ofMinutes(5);

    /** A policy as kept: the domain, the id of the TXT record it came with, when it was fetched and until when it applies. */
    public record Cached(String domain, String id, StsPolicy policy, Instant fetched, Instant expires) {
    }

    /** What applies to mail for a domain: a policy in force (mode enforce or testing), or none, with a note for explain and logs. */
    public record Finding(Optional<Cached> policy, String note) {
        public static Finding none(String note) {
            return new Finding(Optional.empty(), note);
        }

        public boolean enforced() {
            return policy.isPresent() && policy.get().policy().mode() == StsPolicy.Mode.ENFORCE;
        }

        public boolean testing() {
            return policy.isPresent() && policy.get().policy().mode() == StsPolicy.Mode.TESTING;
        }

        /**
         * What this finding makes of a connection to the MX {@code host} whose configured level
         * is {@code configured}: under enforce, a host the policy does not list is skipped, and a
         * listed one needs TLS with a trusted certificate valid for its name (verify, or the
         * configured secure, which is stricter); under testing or no policy, the configured level.
         */
        public Decision decide(TlsMode configured, String host) {
            if (!enforced()) {
                return new Decision(true, configured);
            }
            if (!policy.get().policy().allows(host)) {
                return new Decision(false, configured);
            }
            boolean stricter = configured.level() == TlsMode.Level.SECURE;
            return new Decision(true, stricter ? configured : TlsMode.VERIFY);
        }
    }

    /** Whether an MX host may be used under the domain's policy, and the TLS level to use. */
    public record Decision(boolean allowed, TlsMode tls) {
    }

    /** A cached policy as the operator sees it, with what it has done since this server started. */
    public record View(String domain, String id, String mode, List<String> mx, long maxAge, String fetched, String expires,
                       long deliveries, long failures, String lastFailure) {
    }

    /** The file form of one policy. */
    private record Stored(String domain, String id, String mode, List<String> mx, long maxAge, long fetched, long expires) {
    }

    private static final class Counters {
        final AtomicLong deliveries = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        volatile String lastFailure = "";
    }

    private final MailDns dns;
    private final PolicyFetcher fetcher;
    private final Optional<Path> file;
    private final Clock clock;
    private final int maxDomains;
    private final LinkedHashMap<String, Cached> policies;
    private final LinkedHashMap<String, Instant> failedFetches;
    private final LinkedHashMap<String, Counters> counters;

    public MtaStsPolicies(MailDns dns, PolicyFetcher fetcher, Optional<Path> file, Clock clock, int maxDomains) {
        this.dns = dns;
        this.fetcher = fetcher;
        this.file = file;
        this.clock = clock;
        this.maxDomains = maxDomains;
        this.policies = bounded();
        this.failedFetches = bounded();
        this.counters = bounded();
        file.ifPresent(this::load);
    }

    private <V> LinkedHashMap<String, V> bounded() {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > maxDomains;
            }
        };
    }

    /** The policy for mail to {@code domain} now, looked up (and fetched) as RFC 8461 §5.1 says. */
    public Finding policyFor(String recipientDomain) {
        String domain = recipientDomain.toLowerCase(Locale.ROOT);
        Instant now = clock.instant();
        Optional<Cached> cached = cached(domain, now);
        TxtLookup txt = dns.txt("_mta-sts." + domain);
        if (txt instanceof TxtLookup.Failure failure) {
            return cached.map(policy -> inForce(policy, "the cached policy (" + failure.reason() + ")"))
                .orElseGet(() -> Finding.none("no MTA-STS policy known (" + failure.reason() + ")"));
        }
        Optional<String> id = txt instanceof TxtLookup.Found found ? StsRecord.idOf(found.records()) : Optional.empty();
        if (id.isEmpty()) {
            return cached.map(policy -> inForce(policy, "the cached policy (no valid _mta-sts TXT record now)"))
                .orElseGet(() -> Finding.none("no MTA-STS policy published"));
        }
        if (cached.isPresent() && cached.get().id().equals(id.get())) {
            return inForce(cached.get(), "the cached policy");
        }
        synchronized (this) {
            Instant pausedUntil = failedFetches.get(domain + " " + id.get());
            if (pausedUntil != null && pausedUntil.isAfter(now)) {
                return cached.map(policy -> inForce(policy, "the cached policy (the new policy " + id.get() + " could not be fetched)"))
                    .orElseGet(() -> Finding.none("no MTA-STS policy in force (policy " + id.get() + " could not be fetched; asked again after "
                        + pausedUntil + ")"));
            }
        }
        try {
            StsPolicy policy = StsPolicy.parse(fetcher.fetch(domain));
            Cached fresh = new Cached(domain, id.get(), policy, now, now.plus(policy.maxAge()));
            synchronized (this) {
                policies.put(domain, fresh);
                failedFetches.remove(domain + " " + id.get());
            }
            save();
            LOGGER.info("MTA-STS policy of {} fetched (id {}): {}", domain, id.get(), policy.describe());
            return inForce(fresh, "policy fetched now");
        } catch (IOException | IllegalArgumentException e) {
            synchronized (this) {
                failedFetches.put(domain + " " + id.get(), now.plus(FETCH_FAILURE_PAUSE));
            }
            LOGGER.warn("MTA-STS policy of {} (id {}) could not be fetched: {}; {}", domain, id.get(), e.getMessage(),
                cached.isPresent() ? "the cached policy " + cached.get().id() + " stays in force" : "mail goes as if it had none");
            return cached.map(policy -> inForce(policy, "the cached policy (the new policy " + id.get() + " could not be fetched: "
                    + e.getMessage() + ")"))
                .orElseGet(() -> Finding.none("no MTA-STS policy in force (policy " + id.get() + " could not be fetched: " + e.getMessage() + ")"));
        }
    }

    private static Finding inForce(Cached cached, String how) {
        String note = "MTA-STS " + cached.policy().describe() + " (id " + cached.id() + ", " + how + ", until " + cached.expires() + ")";
        return cached.policy().mode() == StsPolicy.Mode.NONE ? new Finding(Optional.empty(), note) : new Finding(Optional.of(cached), note);
    }

    private synchronized Optional<Cached> cached(String domain, Instant now) {
        Cached cached = policies.get(domain);
        if (cached != null && !cached.expires().isAfter(now)) {
            policies.remove(domain);
            return Optional.empty();
        }
        return Optional.ofNullable(cached);
    }

    /** A delivery under the policy of {@code domain} went out as the policy asks. */
    public void delivered(String domain) {
        counters(domain).deliveries.incrementAndGet();
    }

    /** Under the policy of {@code domain}, what was refused (enforce) or would have been (testing). */
    public void failure(String domain, String what) {
        Counters counters = counters(domain);
        counters.failures.incrementAndGet();
        counters.lastFailure = clock.instant() + " " + what;
    }

    private synchronized Counters counters(String domain) {
        return counters.computeIfAbsent(domain.toLowerCase(Locale.ROOT), any -> new Counters());
    }

    /** The cached policies, by domain. */
    public synchronized List<View> list() {
        Instant now = clock.instant();
        policies.values().removeIf(cached -> !cached.expires().isAfter(now));
        List<View> views = new ArrayList<>();
        for (Cached cached : policies.values().stream().sorted(java.util.Comparator.comparing(Cached::domain)).toList()) {
            Counters count = counters.getOrDefault(cached.domain(), new Counters());
            views.add(new View(cached.domain(), cached.id(), cached.policy().mode().word(), cached.policy().mx(),
                cached.policy().maxAge().toSeconds(), cached.fetched().toString(), cached.expires().toString(),
                count.deliveries.get(), count.failures.get(), count.lastFailure));
        }
        return views;
    }

    /** Forgets the policy of {@code domain} (all when empty), so that the next mail fetches it again. */
    public int flush(Optional<String> domain) {
        int flushed;
        synchronized (this) {
            int before = policies.size();
            if (domain.isPresent()) {
                String name = domain.get().toLowerCase(Locale.ROOT);
                policies.remove(name);
                failedFetches.keySet().removeIf(key -> key.startsWith(name + " "));
            } else {
                policies.clear();
                failedFetches.clear();
            }
            flushed = before - policies.size();
        }
        save();
        return flushed;
    }

    private void load(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try {
            List<Stored> stored = JSON.readValue(path.toFile(), new TypeReference<List<Stored>>() { });
            Instant now = clock.instant();
            for (Stored entry : stored) {
                Instant expires = Instant.ofEpochMilli(entry.expires());
                if (expires.isAfter(now)) {
                    StsPolicy policy = new StsPolicy(StsPolicy.Mode.valueOf(entry.mode().toUpperCase(Locale.ROOT)), entry.mx(),
                        Duration.ofSeconds(entry.maxAge()));
                    policies.put(entry.domain(), new Cached(entry.domain(), entry.id(), policy, Instant.ofEpochMilli(entry.fetched()), expires));
                }
            }
            LOGGER.info("MTA-STS: {} cached policies read from {}", policies.size(), path);
        } catch (IOException | RuntimeException e) {
            // a cache: when it cannot be read, policies are fetched again
            LOGGER.warn("MTA-STS: cannot read the cached policies in {} ({}); they are fetched again", path, e.getMessage());
        }
    }

    private final Object saving = new Object();

    private void save() {
        if (file.isEmpty()) {
            return;
        }
        synchronized (saving) {
            write(file.get());
        }
    }

    private void write(Path path) {
        List<Stored> stored;
        synchronized (this) {
            stored = policies.values().stream()
                .map(cached -> new Stored(cached.domain(), cached.id(), cached.policy().mode().word(), cached.policy().mx(),
                    cached.policy().maxAge().toSeconds(), cached.fetched().toEpochMilli(), cached.expires().toEpochMilli()))
                .toList();
        }
        try {
            Files.createDirectories(path.getParent());
            AtomicFiles.replace(path, JSON.writeValueAsBytes(stored));
        } catch (IOException e) {
            LOGGER.warn("MTA-STS: cannot write the cached policies to {}: {}", path, e.getMessage());
        }
    }
}
