package org.jamesrouting.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class PoisonPolicyTest {
    @Test
    void retriesWithADoublingWaitThenParks() {
        PoisonPolicy policy = new PoisonPolicy(5, Duration.ofMinutes(1));
        assertThat(policy.retryAfter(1)).contains(Duration.ofMinutes(1));
        assertThat(policy.retryAfter(2)).contains(Duration.ofMinutes(2));
        assertThat(policy.retryAfter(4)).contains(Duration.ofMinutes(8));
        assertThat(policy.retryAfter(5)).isEmpty();
        assertThat(policy.retryAfter(9)).isEmpty();
    }

    @Test
    void theWaitStopsGrowingAtAnHour() {
        PoisonPolicy policy = new PoisonPolicy(100, Duration.ofMinutes(10));
        assertThat(policy.retryAfter(3)).contains(Duration.ofMinutes(40));
        assertThat(policy.retryAfter(4)).contains(Duration.ofHours(1));
        assertThat(policy.retryAfter(60)).contains(Duration.ofHours(1));
        assertThat(new PoisonPolicy(1, Duration.ofSeconds(1)).retryAfter(1)).as("park at the first failure").isEmpty();
        assertThatThrownBy(() -> new PoisonPolicy(0, Duration.ofSeconds(1))).hasMessageContaining("1 or more");
    }
}
