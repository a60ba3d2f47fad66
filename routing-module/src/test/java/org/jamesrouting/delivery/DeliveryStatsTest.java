package org.jamesrouting.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.jamesrouting.testing.MutableClock;
import org.junit.jupiter.api.Test;

class DeliveryStatsTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:30Z"));

    private static RecipientOutcome outcome(RecipientOutcome.Kind kind, String diagnostic) {
        return new RecipientOutcome("a@b.test", kind, kind == RecipientOutcome.Kind.PERMANENT ? "5.1.1" : "4.0.0", diagnostic,
            Optional.of("mx.b.test [192.0.2.1]:25"), true);
    }

    @Test
    void countsTheLastMinuteAndTheLastHourPerDestination() {
        DeliveryStats stats = new DeliveryStats(clock);
        stats.record("route a", outcome(RecipientOutcome.Kind.DELIVERED, "250 ok"));
        stats.record("route a", outcome(RecipientOutcome.Kind.TEMPORARY, "451 4.7.1 greylisted"));
        clock.advance(Duration.ofMinutes(30));
        stats.record("route a", outcome(RecipientOutcome.Kind.DELIVERED, "250 ok"));
        stats.record("mx:b.test", outcome(RecipientOutcome.Kind.PERMANENT, "550 5.1.1 no such user"));

        DeliveryStats.Destination a = stats.destinations().stream().filter(d -> d.name().equals("route a")).findFirst().orElseThrow();
        assertThat(a.lastMinute()).isEqualTo(new DeliveryStats.Counts(1, 0, 0));
        assertThat(a.lastHour()).isEqualTo(new DeliveryStats.Counts(2, 1, 0));
        assertThat(a.lastProblem()).contains("451 4.7.1 greylisted (mx.b.test [192.0.2.1]:25)");
        assertThat(stats.total(false)).isEqualTo(new DeliveryStats.Counts(2, 1, 1));

        clock.advance(Duration.ofMinutes(45));
        assertThat(stats.total(false)).as("the first minute's counts are older than an hour").isEqualTo(new DeliveryStats.Counts(1, 0, 1));
        clock.advance(Duration.ofHours(2));
        stats.record("route a", outcome(RecipientOutcome.Kind.DELIVERED, "250 ok"));
        assertThat(stats.total(false)).as("a bucket reused an hour later starts from zero").isEqualTo(new DeliveryStats.Counts(1, 0, 0));
    }

    @Test
    void aDestinationIsDeferringNowWhenItsLatestOutcomeIsARecentDeferral() {
        DeliveryStats stats = new DeliveryStats(clock);
        assertThat(stats.deferringNow("smart host", Duration.ofMinutes(1))).as("never seen").isFalse();
        stats.record("smart host", outcome(RecipientOutcome.Kind.TEMPORARY, "421 try later"));
        assertThat(stats.deferringNow("smart host", Duration.ofMinutes(1))).isTrue();
        assertThat(stats.deferringNow("mx:b.test", Duration.ofMinutes(1))).as("another destination").isFalse();
        clock.advance(Duration.ofSeconds(61));
        assertThat(stats.deferringNow("smart host", Duration.ofMinutes(1))).as("a minute later: worth a try again").isFalse();
        stats.record("smart host", outcome(RecipientOutcome.Kind.TEMPORARY, "421 try later"));
        stats.record("smart host", outcome(RecipientOutcome.Kind.DELIVERED, "250 ok"));
        assertThat(stats.deferringNow("smart host", Duration.ofMinutes(1))).as("delivered since").isFalse();
        stats.record("smart host", outcome(RecipientOutcome.Kind.PERMANENT, "550 no"));
        assertThat(stats.deferringNow("smart host", Duration.ofMinutes(1))).as("a bounce says the server answers").isFalse();
    }

    @Test
    void destinationsBeyondTheBoundForgetTheOldestNews() {
        MutableClock clock = new MutableClock(java.time.Instant.parse("2026-12-01T10:00:00Z"));
        DeliveryStats stats = new DeliveryStats(clock);
        RecipientOutcome delivered = new RecipientOutcome("a@x.test", RecipientOutcome.Kind.DELIVERED, "2.0.0", "ok",
            java.util.Optional.empty(), true);
        for (int i = 0; i < DeliveryStats.MAX_DESTINATIONS + 2_000; i++) {
            clock.advance(java.time.Duration.ofMillis(1));
            stats.record("mx:d" + i + ".test", delivered);
        }
        assertThat(stats.destinationCount()).isLessThanOrEqualTo(DeliveryStats.MAX_DESTINATIONS);
        assertThat(stats.destinations()).extracting(DeliveryStats.Destination::name)
            .contains("mx:d" + (DeliveryStats.MAX_DESTINATIONS + 1_999) + ".test")
            .doesNotContain("mx:d0.test");
    }
}
