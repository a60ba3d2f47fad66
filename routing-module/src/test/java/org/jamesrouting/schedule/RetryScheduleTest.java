package org.jamesrouting.schedule;

import org.jamesrouting.core.DurationText;
import org.jamesrouting.delivery.RecipientOutcome;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class RetryScheduleTest {
    private static final Instant FIRST = Instant.parse("2026-11-25T00:00:00Z");
    private final RetrySchedule schedule = new RetrySchedule(DurationText.parseList("5m, 15m, 1h"), Duration.ofHours(4));

    @Test
    void followsTheScheduleAndRepeatsItsLastDelay() {
        assertThat(schedule.nextDelay(1, FIRST, FIRST)).contains(Duration.ofMinutes(5));
        assertThat(schedule.nextDelay(2, FIRST, FIRST.plusSeconds(300))).contains(Duration.ofMinutes(15));
        assertThat(schedule.nextDelay(3, FIRST, FIRST.plusSeconds(1200))).contains(Duration.ofHours(1));
        assertThat(schedule.nextDelay(7, FIRST, FIRST.plusSeconds(3600))).contains(Duration.ofHours(1));
    }

    @Test
    void givesUpWhenTheNextTryWouldBePastMaxAge() {
        assertThat(schedule.nextDelay(5, FIRST, FIRST.plus(Duration.ofMinutes(181)))).isEmpty();
        assertThat(schedule.nextDelay(5, FIRST, FIRST.plus(Duration.ofMinutes(180)))).contains(Duration.ofHours(1));
    }

    @Test
    void greylistingIsRetriedSoonForTheFirstFewAttemptsOnly() {
        RetrySchedule slow = new RetrySchedule(DurationText.parseList("30m, 1h, 2h"), Duration.ofDays(1), Duration.ofMinutes(4));
        assertThat(slow.nextDelay(1, FIRST, FIRST, true)).contains(Duration.ofMinutes(4));
        assertThat(slow.nextDelay(3, FIRST, FIRST, true)).contains(Duration.ofMinutes(4));
        assertThat(slow.nextDelay(4, FIRST, FIRST, true)).as("greylisted for too long: the schedule").contains(Duration.ofHours(2));
        assertThat(slow.nextDelay(1, FIRST, FIRST, false)).contains(Duration.ofMinutes(30));
        assertThat(new RetrySchedule(DurationText.parseList("1m"), Duration.ofDays(1), Duration.ofMinutes(5)).nextDelay(1, FIRST, FIRST, true))
            .as("never longer than the schedule").contains(Duration.ofMinutes(1));
    }

    @Test
    void recognisesGreylistingReplies() {
        for (String reply : new String[] {"Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/x.html",
            "Greylisting in action, please come back later", "please try again later", "4.7.1 graylisted for 300 seconds",
            "Temporary local problem - please try later"}) {
            assertThat(RetrySchedule.looksLikeGreylisting(outcome("4.7.1", reply, true))).as(reply).isTrue();
        }
        assertThat(RetrySchedule.looksLikeGreylisting(outcome("4.2.2", "Mailbox full", true))).isFalse();
        assertThat(RetrySchedule.looksLikeGreylisting(outcome("4.4.1", "Cannot talk to x: try again later", false)))
            .as("our own reasons are not the remote's").isFalse();
    }

    private static RecipientOutcome outcome(String status, String diagnostic, boolean remote) {
        return new RecipientOutcome("a@b.test", RecipientOutcome.Kind.TEMPORARY, status, diagnostic, java.util.Optional.empty(), remote);
    }

    @Test
    void readsDurationsAsAdministratorsWriteThem() {
        assertThat(DurationText.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(DurationText.parse(" 5D ")).isEqualTo(Duration.ofDays(5));
        assertThat(DurationText.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThatThrownBy(() -> DurationText.parse("5 minutes")).hasMessageContaining("is not a duration");
        assertThatThrownBy(() -> DurationText.parseList(" , ")).hasMessageContaining("lists no duration");
    }

    @Test
    void aRoutesRuleReplacesWhatItGivesAndExplainSaysSo() {
        RetrySchedule mailet = new RetrySchedule(DurationText.parseList("5m, 15m, 1h"), Duration.ofDays(5), Duration.ofMinutes(5),
            java.util.Optional.of(Duration.ofHours(4)));
        RetrySchedule partner = mailet.with(new org.jamesrouting.route.RetryRule(java.util.Optional.empty(),
            java.util.Optional.of(Duration.ofHours(6))));

        assertThat(partner.delays()).isEqualTo(mailet.delays());
        assertThat(partner.maxAge()).isEqualTo(Duration.ofHours(6));
        assertThat(mailet.with(org.jamesrouting.route.RetryRule.NONE)).isSameAs(mailet);
        assertThat(mailet.describe()).isEqualTo("retry 5m,15m,1h (the last repeats), given up after 5d, delay notice after 4h");
        assertThat(new RetrySchedule(DurationText.parseList("90s"), Duration.ofHours(36)).describe())
            .isEqualTo("retry 90s (repeated), given up after 36h, no delay notice");
    }
}
