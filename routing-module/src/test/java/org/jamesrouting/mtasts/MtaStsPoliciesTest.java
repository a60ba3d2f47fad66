package org.jamesrouting.mtasts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jamesrouting.dns.AddressLookup;
import org.jamesrouting.dns.MailDns;
import org.jamesrouting.dns.MxLookup;
import org.jamesrouting.dns.TxtLookup;
import org.jamesrouting.route.TlsMode;
import org.jamesrouting.testing.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The RFC 8461 §5.1 rules of when a policy is fetched, kept and applied; DNS and HTTPS are stand-ins here (MtaStsIT has the real ones). */
class MtaStsPoliciesTest {
    private static final String ENFORCE = "version: STSv1\nmode: enforce\nmx: mx.example.test\nmax_age: 86400\n";

    private final Map<String, TxtLookup> txt = new HashMap<>();
    private final Map<String, String> served = new HashMap<>();
    private final List<String> fetches = new ArrayList<>();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T10:00:00Z"));

    @TempDir
    Path directory;

    private final MailDns dns = new MailDns() {
        @Override
        public MxLookup mx(String domain) {
            throw new UnsupportedOperationException();
        }

        @Override
        public AddressLookup addresses(String host) {
            throw new UnsupportedOperationException();
        }

        @Override
        public TxtLookup txt(String name) {
            return txt.getOrDefault(name, new TxtLookup.NotFound());
        }
    };

    private final PolicyFetcher fetcher = domain -> {
        fetches.add(domain);
        String body = served.get(domain);
        if (body == null) {
            throw new IOException("https://mta-sts." + domain + "/.well-known/mta-sts.txt: HTTP 404");
        }
        return body;
    };

    private MtaStsPolicies policies;

    @BeforeEach
    void setUp() {
        policies = new MtaStsPolicies(dns, fetcher, Optional.of(directory.resolve("mta-sts.json")), clock, 100);
    }

    private void publish(String domain, String id, String policy) {
        txt.put("_mta-sts." + domain, new TxtLookup.Found(List.of("v=STSv1; id=" + id + ";")));
        served.put(domain, policy);
    }

    @Test
    void noTxtRecordNoPolicyAndNoFetch() {
        MtaStsPolicies.Finding finding = policies.policyFor("example.test");
        assertThat(finding.policy()).isEmpty();
        assertThat(finding.note()).isEqualTo("no MTA-STS policy published");
        assertThat(fetches).isEmpty();
    }

    @Test
    void fetchedOnceThenTakenFromTheCacheWhileTheIdStaysTheSame() {
        publish("example.test", "one", ENFORCE);
        assertThat(policies.policyFor("example.test").enforced()).isTrue();
        assertThat(policies.policyFor("Example.TEST").note()).contains("the cached policy", "id one");
        assertThat(fetches).containsExactly("example.test");
    }

    @Test
    void aNewIdFetchesTheNewPolicy() {
        publish("example.test", "one", ENFORCE);
        policies.policyFor("example.test");
        publish("example.test", "two", ENFORCE.replace("enforce", "testing"));
        MtaStsPolicies.Finding finding = policies.policyFor("example.test");
        assertThat(finding.testing()).isTrue();
        assertThat(finding.policy().get().id()).isEqualTo("two");
        assertThat(fetches).hasSize(2);
    }

    @Test
    void theCachedPolicyStaysInForceWhenTheTxtRecordIsGoneOrDnsFailsUntilItExpires() {
        publish("example.test", "one", ENFORCE);
        policies.policyFor("example.test");
        txt.remove("_mta-sts.example.test");
        assertThat(policies.policyFor("example.test").enforced()).as("an attacker who removes the TXT record strips nothing").isTrue();
        txt.put("_mta-sts.example.test", new TxtLookup.Failure("SERVFAIL"));
        assertThat(policies.policyFor("example.test").enforced()).isTrue();
        clock.advance(Duration.ofSeconds(86_400));
        assertThat(policies.policyFor("example.test").policy()).as("max_age over").isEmpty();
    }

    @Test
    void aNewPolicyThatCannotBeFetchedLeavesTheCachedOneAndIsNotAskedForAgainAtOnce() {
        publish("example.test", "one", ENFORCE);
        policies.policyFor("example.test");
        txt.put("_mta-sts.example.test", new TxtLookup.Found(List.of("v=STSv1; id=two;")));
        served.remove("example.test");
        MtaStsPolicies.Finding finding = policies.policyFor("example.test");
        assertThat(finding.enforced()).isTrue();
        assertThat(finding.note()).contains("id one", "policy two could not be fetched", "HTTP 404");
        policies.policyFor("example.test");
        assertThat(fetches).hasSize(2);
        clock.advance(MtaStsPolicies.FETCH_FAILURE_PAUSE);
        policies.policyFor("example.test");
        assertThat(fetches).hasSize(3);
    }

    @Test
    void noPolicyCanBeFetchedAndNoneIsCachedMailGoesAsWithoutMtaSts() {
        txt.put("_mta-sts.example.test", new TxtLookup.Found(List.of("v=STSv1; id=one;")));
        served.put("example.test", "<html>hello</html>");
        MtaStsPolicies.Finding finding = policies.policyFor("example.test");
        assertThat(finding.policy()).isEmpty();
        assertThat(finding.note()).contains("could not be fetched", "is not 'key: value'");
    }

    @Test
    void modeNoneIsKeptButAppliesNothing() {
        publish("example.test", "one", "version: STSv1\nmode: none\nmax_age: 86400\n");
        MtaStsPolicies.Finding finding = policies.policyFor("example.test");
        assertThat(finding.policy()).isEmpty();
        assertThat(finding.note()).contains("MTA-STS none");
        assertThat(policies.list()).extracting(MtaStsPolicies.View::mode).containsExactly("none");
    }

    @Test
    void policiesSurviveARestartAndAFlushForgetsThem() {
        publish("example.test", "one", ENFORCE);
        policies.policyFor("example.test");
        served.clear();

        MtaStsPolicies restarted = new MtaStsPolicies(dns, fetcher, Optional.of(directory.resolve("mta-sts.json")), clock, 100);
        assertThat(restarted.list()).extracting(MtaStsPolicies.View::domain).containsExactly("example.test");
        assertThat(restarted.policyFor("example.test").enforced()).isTrue();
        assertThat(fetches).hasSize(1);

        assertThat(restarted.flush(Optional.of("example.test"))).isEqualTo(1);
        assertThat(new MtaStsPolicies(dns, fetcher, Optional.of(directory.resolve("mta-sts.json")), clock, 100).list()).isEmpty();
    }

    @Test
    void atMostMaxDomainsAreKept() {
        MtaStsPolicies small = new MtaStsPolicies(dns, fetcher, Optional.empty(), clock, 3);
        for (int i = 0; i < 10; i++) {
            publish("d" + i + ".test", "one", ENFORCE);
            small.policyFor("d" + i + ".test");
            small.failure("d" + i + ".test", "x");
        }
        assertThat(small.list()).extracting(MtaStsPolicies.View::domain).containsExactly("d7.test", "d8.test", "d9.test");
    }

    @Test
    void enforceSkipsUnlistedHostsAndVerifiesListedOnes() {
        publish("example.test", "one", ENFORCE);
        MtaStsPolicies.Finding enforce = policies.policyFor("example.test");
        assertThat(enforce.decide(TlsMode.MAY, "mx.example.test")).isEqualTo(new MtaStsPolicies.Decision(true, TlsMode.VERIFY));
        assertThat(enforce.decide(TlsMode.NONE, "mx.example.test").tls()).as("enforce wins over a weaker default").isEqualTo(TlsMode.VERIFY);
        TlsMode secure = TlsMode.SECURE.withMatch("mx.example.test");
        assertThat(enforce.decide(secure, "mx.example.test").tls()).as("secure is stricter: kept").isEqualTo(secure);
        assertThat(enforce.decide(TlsMode.MAY, "other.example.test").allowed()).isFalse();

        publish("testing.test", "one", ENFORCE.replace("enforce", "testing"));
        MtaStsPolicies.Finding testing = policies.policyFor("testing.test");
        assertThat(testing.decide(TlsMode.MAY, "elsewhere.test")).isEqualTo(new MtaStsPolicies.Decision(true, TlsMode.MAY));
    }

    @Test
    void countsShowInTheList() {
        publish("example.test", "one", ENFORCE);
        policies.policyFor("example.test");
        policies.delivered("example.test");
        policies.failure("example.test", "mx.example.test: certificate not trusted");
        MtaStsPolicies.View view = policies.list().get(0);
        assertThat(view.deliveries()).isEqualTo(1);
        assertThat(view.failures()).isEqualTo(1);
        assertThat(view.lastFailure()).contains("certificate not trusted");
    }
}
