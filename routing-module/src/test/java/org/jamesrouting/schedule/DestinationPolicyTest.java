package org.jamesrouting.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jamesrouting.route.Rate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DestinationPolicyTest {
    private static final Instant NOW = Instant.parse("2026-12-04T01:00:00Z");
    private static final Map<String, String> BEST_MX = Map.of(
        "gmail.com", "gmail-smtp-in.l.google.com",
        "customer.test", "ASPMX.L.GOOGLE.COM.",
        "outlook.test", "outlook-test.mail.protection.outlook.com");

    @TempDir
    Path directory;

    private final List<String> lookedUp = new ArrayList<>();

    private DestinationPolicy policy(Holds holds, String rates) {
        return new DestinationPolicy(holds, DestinationRates.parse(rates), domain -> {
            lookedUp.add(domain);
            return Optional.ofNullable(BEST_MX.get(domain));
        });
    }

    @Test
    void allTheDomainsOfOneProviderShareTheirMxSetsBudget() {
        DestinationPolicy policy = policy(new Holds(directory.resolve("held.json")),
            "mx:gmail.com 20/m, mxset:*.google.com 300/m, mxset:*.outlook.com 100/m, smart host 60/m");

        assertThat(policy.pace("mx:gmail.com")).as("a domain's own line wins over its set")
            .contains(new DestinationPolicy.Pace("mx:gmail.com", Rate.parse("20/m")));
        assertThat(policy.pace("mx:customer.test")).as("matched by its best MX, case and the final dot ignored")
            .contains(new DestinationPolicy.Pace("mxset:*.google.com", Rate.parse("300/m")));
        assertThat(policy.pace("mx:outlook.test")).contains(new DestinationPolicy.Pace("mxset:*.outlook.com", Rate.parse("100/m")));
        assertThat(policy.pace("mx:elsewhere.test")).as("no MX known: no set").isEmpty();
        assertThat(policy.pace("smart host")).contains(new DestinationPolicy.Pace("smart host", Rate.parse("60/m")));
        assertThat(policy.pace("route partner")).isEmpty();
        assertThat(lookedUp).as("only MX destinations are looked up").doesNotContain("partner", "smart host");
    }

    @Test
    void theFirstMxSetWrittenWins() {
        DestinationPolicy policy = policy(new Holds(directory.resolve("held.json")), "mxset:*.l.google.com 10/m, mxset:*.google.com 300/m");

        assertThat(policy.pace("mx:gmail.com")).map(DestinationPolicy.Pace::key).contains("mxset:*.l.google.com");
    }

    @Test
    void noMxIsLookedUpWhenNoRateOrHoldNamesAnMxSet() {
        Holds holds = new Holds(directory.resolve("held.json"));
        holds.hold("mx:other.test", "", NOW);
        DestinationPolicy policy = policy(holds, "mx:gmail.com 20/m");

        assertThat(policy.pace("mx:customer.test")).isEmpty();
        assertThat(policy.heldAs("mx:customer.test")).isEmpty();
        assertThat(policy.heldAs("mx:other.test")).contains("mx:other.test");
        assertThat(lookedUp).isEmpty();
    }

    @Test
    void anMxSetOnHoldHoldsEachDomainItHoldsAndTheOperatorsActionsSelectThem() {
        Holds holds = new Holds(directory.resolve("held.json"));
        holds.hold("mxset:*.google.com", "quota", NOW);
        DestinationPolicy policy = policy(holds, "");

        assertThat(policy.heldAs("mx:gmail.com")).contains("mxset:*.google.com");
        assertThat(policy.heldAs("mx:customer.test")).contains("mxset:*.google.com");
        assertThat(policy.heldAs("mx:outlook.test")).isEmpty();
        assertThat(policy.heldAs("smart host")).isEmpty();

        assertThat(policy.selects("mxset:*.google.com", "mx:customer.test")).isTrue();
        assertThat(policy.selects("mxset:*.google.com", "mx:outlook.test")).isFalse();
        assertThat(policy.selects("mxset:*.google.com", "mx:gmail.com + mx:outlook.test")).as("mail with recipients elsewhere too").isFalse();
        assertThat(policy.selects("smart host", "smart host")).isTrue();
        assertThat(policy.selects("mx:gmail.com", "mx:customer.test")).isFalse();
    }
}
