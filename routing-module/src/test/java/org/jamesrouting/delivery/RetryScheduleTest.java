package org.jamesrouting.delivery;

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
    void readsDurationsAsAdministratorsWriteThem() {
        assertThat(DurationText.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(DurationText.parse(" 5D ")).isEqualTo(Duration.ofDays(5));
        assertThat(DurationText.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThatThrownBy(() -> DurationText.parse("5 minutes")).hasMessageContaining("is not a duration");
        assertThatThrownBy(() -> DurationText.parseList(" , ")).hasMessageContaining("lists no duration");
    }
}
