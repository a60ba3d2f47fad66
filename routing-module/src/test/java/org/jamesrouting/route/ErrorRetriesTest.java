package org.jamesrouting.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ErrorRetriesTest {
    private static final ErrorRetries RULES = ErrorRetries.parse("connect 1m,5m; Reply 30m; 4.2.2 4h; 4.7 2h; 4.7.1 10m; tls 1h; dns 15m");

    private static String kindFor(String status, boolean remoteReply) {
        return RULES.forDeferral(status, remoteReply).map(Map.Entry::getKey).orElse("none");
    }

    @Test
    void eachDeferralTakesTheLongestMatchingCodeElseItsKind() {
        assertThat(kindFor("4.4.1", false)).as("connection refused or timed out").isEqualTo("connect");
        assertThat(kindFor("4.4.2", false)).as("connection lost").isEqualTo("connect");
        assertThat(kindFor("4.4.3", false)).as("DNS failed").isEqualTo("dns");
        assertThat(kindFor("4.4.4", false)).isEqualTo("dns");
        assertThat(kindFor("4.7.5", false)).as("our TLS refusal, no code rule").isEqualTo("4.7");
        assertThat(kindFor("4.7.1", true)).as("the longest code wins").isEqualTo("4.7.1");
        assertThat(kindFor("4.2.2", true)).isEqualTo("4.2.2");
        assertThat(kindFor("4.2.20", true)).as("a code matches whole parts only").isEqualTo("reply");
        assertThat(kindFor("4.3.0", true)).isEqualTo("reply");
        assertThat(RULES.forDeferral("4.2.2", true).orElseThrow().getValue()).containsExactly(Duration.ofHours(4));

        ErrorRetries kindsOnly = ErrorRetries.parse("tls 1h");
        assertThat(kindsOnly.forDeferral("4.7.5", false).orElseThrow().getKey()).isEqualTo("tls");
        assertThat(kindsOnly.forDeferral("4.7.1", true)).as("a server's 4.7.1 is a reply, not our TLS").isEmpty();
        assertThat(ErrorRetries.NONE.forDeferral("4.4.1", false)).isEmpty();
    }

    @Test
    void writtenBackAsEachPlaceWritesIt() {
        ErrorRetries rules = ErrorRetries.of(Map.of("Connect", "1m, 5m", "4.2.2", "4h"));

        assertThat(rules.asOptions()).isEqualTo("retry.4.2.2=4h retry.connect=1m,5m");
        assertThat(rules.describe()).isEqualTo("4.2.2 4h; connect 1m,5m");
        assertThat(rules.texts()).containsEntry("connect", "1m,5m");
        assertThat(ErrorRetries.parse(rules.describe())).isEqualTo(rules);
    }

    @Test
    void aRouteOwnKindsWinOverTheMailets() {
        ErrorRetries mailet = ErrorRetries.parse("connect 1m; dns 15m");
        ErrorRetries merged = ErrorRetries.parse("connect 10s").over(mailet);

        assertThat(merged.delays()).containsEntry("connect", List.of(Duration.ofSeconds(10))).containsEntry("dns", List.of(Duration.ofMinutes(15)));
    }

    @Test
    void badEntriesAreNamed() {
        assertThatThrownBy(() -> ErrorRetries.parse("sometimes 1m")).hasMessageContaining("'sometimes 1m': 'sometimes' is not a kind of deferral");
        assertThatThrownBy(() -> ErrorRetries.parse("connect")).hasMessageContaining("write a kind of deferral and its delays");
        assertThatThrownBy(() -> ErrorRetries.parse("connect 1m; connect 2m")).hasMessageContaining("connect is given twice");
        assertThatThrownBy(() -> ErrorRetries.parse("5.1.1 1m")).hasMessageContaining("not a kind of deferral");
        assertThatThrownBy(() -> ErrorRetries.parse("connect soon")).hasMessageContaining("retry.connect:");
        assertThatThrownBy(() -> ErrorRetries.parse("connect 0s")).hasMessageContaining("above zero");
    }
}
