package org.jamesrouting.tlsrpt;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The TLS sessions of direct MX delivery counted for TLS reporting (RFC 8460), per UTC day and
 * per policy (policy domain, type, policy text and MX hosts): successful sessions, and failed
 * ones by result type, receiving MX and address. Today's and yesterday's days are kept; at most
 * {@link #MAX_POLICIES} policies a day and {@link #MAX_FAILURE_KINDS} failure kinds a policy
 * (recipient domains are the senders' choice: the counts must not grow with them).
 */
public final class TlsSessionCounts {
    public static final int MAX_POLICIES = 10_000;
    public static final int MAX_FAILURE_KINDS = 100;

    /** The policy a session was under; {@code type}: {@code sts}, {@code tlsa} or {@code no-policy-found}. */
    public record Policy(String domain, String type, List<String> strings, List<String> mxHosts) {
        public Policy {
            strings = List.copyOf(strings);
            mxHosts = List.copyOf(mxHosts);
        }
    }

    /** One kind of failure: RFC 8460's result type, and where. */
    public record Failure(String resultType, String receivingMx, String receivingIp) {
    }

    /** A policy's counts of one day. */
    public record Counts(long successful, Map<Failure, Long> failures) {
        public Counts {
            failures = Map.copyOf(failures);
        }

        public long failed() {
            return failures.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private static final class Tally {
        long successful;
        final Map<Failure, Long> failures = new java.util.LinkedHashMap<>();
    }

    private final Clock clock;
    private final Map<LocalDate, Map<Policy, Tally>> days = new ConcurrentHashMap<>();

    public TlsSessionCounts(Clock clock) {
        this.clock = clock;
    }

    public void success(Policy policy) {
        Tally tally = tally(policy);
        if (tally != null) {
            synchronized (tally) {
                tally.successful++;
            }
        }
    }

    public void failure(Policy policy, Failure failure) {
        Tally tally = tally(policy);
        if (tally != null) {
            synchronized (tally) {
                if (tally.failures.containsKey(failure) || tally.failures.size() < MAX_FAILURE_KINDS) {
                    tally.failures.merge(failure, 1L, Long::sum);
                }
            }
        }
    }

    /** The counts of a day, by policy domain then policy. */
    public Map<String, Map<Policy, Counts>> day(LocalDate day) {
        Map<String, Map<Policy, Counts>> byDomain = new TreeMap<>();
        days.getOrDefault(day, Map.of()).forEach((policy, tally) -> {
            synchronized (tally) {
                byDomain.computeIfAbsent(policy.domain(), any -> new java.util.LinkedHashMap<>())
                    .put(policy, new Counts(tally.successful, tally.failures));
            }
        });
        return byDomain;
    }

    public LocalDate today() {
        return LocalDate.now(clock.withZone(ZoneOffset.UTC));
    }

    private Tally tally(Policy policy) {
        LocalDate today = today();
        if (!days.containsKey(today)) {
            List<LocalDate> old = new ArrayList<>(days.keySet());
            old.stream().filter(day -> day.isBefore(today.minusDays(1))).forEach(days::remove);
        }
        Map<Policy, Tally> policies = days.computeIfAbsent(today, any -> new ConcurrentHashMap<>());
        Tally tally = policies.get(policy);
        if (tally == null) {
            if (policies.size() >= MAX_POLICIES) {
                return null;
            }
            tally = policies.computeIfAbsent(policy, any -> new Tally());
        }
        return tally;
    }
}
