package org.jamesrouting.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.jamesrouting.route.Rate;
import org.junit.jupiter.api.Test;

class RateShaperTest {
    private static final Instant NOW = Instant.parse("2026-12-03T17:00:00Z");
    private static final Rate TWO_A_SECOND = Rate.parse("120/m");

    @Test
    void messagesGetEvenlySpacedSlotsAndOtherDestinationsAreNotTouched() {
        RateShaper shaper = new RateShaper();

        assertThat(shaper.ask("route a", TWO_A_SECOND, NOW, true)).isEqualTo(new RateShaper.Go());
        assertThat(shaper.ask("route a", TWO_A_SECOND, NOW, true)).isEqualTo(new RateShaper.WaitHere(NOW.plusMillis(500)));
        assertThat(shaper.ask("route a", TWO_A_SECOND, NOW.plusMillis(100), true)).isEqualTo(new RateShaper.WaitHere(NOW.plusMillis(1000)));
        assertThat(shaper.ask("route b", TWO_A_SECOND, NOW, true)).isEqualTo(new RateShaper.Go());
        assertThat(shaper.waiting()).containsExactlyInAnyOrderEntriesOf(java.util.Map.of("route a", 2));

        shaper.arrived("route a");
        shaper.arrived("route a");

        assertThat(shaper.waiting()).isEmpty();
        assertThat(shaper.ask("route a", TWO_A_SECOND, NOW.plusSeconds(5), true)).as("an idle destination starts afresh")
            .isEqualTo(new RateShaper.Go());
    }

    @Test
    void theSpoolThreadAndFarSlotsWaitInTheQueueWithoutTakingASlot() {
        RateShaper shaper = new RateShaper();
        Rate onePerMinute = Rate.parse("1/m");
        shaper.ask("route slow", onePerMinute, NOW, true);

        assertThat(shaper.ask("route slow", onePerMinute, NOW, false)).isEqualTo(new RateShaper.WaitInQueue(Duration.ofMinutes(1)));
        assertThat(shaper.ask("route slow", onePerMinute, NOW, true)).as("within the horizon")
            .isEqualTo(new RateShaper.WaitHere(NOW.plusSeconds(60)));
        assertThat(shaper.ask("route slow", onePerMinute, NOW, true)).as("two minutes away: beyond the horizon")
            .isEqualTo(new RateShaper.WaitInQueue(Duration.ofMinutes(2)));
    }

    @Test
    void memoryIsBoundedPerDestinationAndInAll() {
        RateShaper shaper = new RateShaper();
        Rate fast = Rate.parse("1000/s");
        shaper.ask("route a", fast, NOW, true);
        for (int i = 0; i < RateShaper.PER_DESTINATION; i++) {
            assertThat(shaper.ask("route a", fast, NOW, true)).isInstanceOf(RateShaper.WaitHere.class);
        }
        assertThat(shaper.ask("route a", fast, NOW, true)).isInstanceOf(RateShaper.WaitInQueue.class);
        int destinations = RateShaper.TOTAL / RateShaper.PER_DESTINATION;
        for (int d = 1; d < destinations; d++) {
            shaper.ask("route " + d, fast, NOW, true);
            for (int i = 0; i < RateShaper.PER_DESTINATION; i++) {
                shaper.ask("route " + d, fast, NOW, true);
            }
        }
        shaper.ask("route last", fast, NOW, true);

        assertThat(shaper.ask("route last", fast, NOW, true)).as("no room left in all").isInstanceOf(RateShaper.WaitInQueue.class);
    }

    @Test
    void ratesAreReadAsWrittenAndBadOnesAreRefused() {
        assertThat(Rate.parse("60/m").interval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(Rate.parse(" 5 / s ").asString()).isEqualTo("5/s");
        assertThat(Rate.parse("1000/h").interval()).isEqualTo(Duration.ofMillis(3600));
        for (String bad : new String[] {"fast", "0/m", "60/week", "60"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Rate.parse(bad)).hasMessageContaining("is not a rate such as 60/m");
        }
    }
}
