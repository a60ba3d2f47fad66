package org.jamesrouting.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import org.jamesrouting.route.StaticRoutesParser;
import org.junit.jupiter.api.Test;

class DestinationLimitsTest {
    @Test
    void aDestinationGetsAtMostItsLimitAndOthersAreNotAffected() {
        DestinationLimits limits = new DestinationLimits(2);
        Optional<DestinationLimits.Permit> first = limits.tryAcquire("mx:slow.test");
        Optional<DestinationLimits.Permit> second = limits.tryAcquire("mx:slow.test");
        assertThat(first).isPresent();
        assertThat(second).isPresent();
        assertThat(limits.tryAcquire("mx:slow.test")).isEmpty();
        assertThat(limits.tryAcquire("mx:fast.test")).isPresent();

        first.get().close();
        first.get().close();
        assertThat(limits.inFlight("mx:slow.test")).as("closing twice frees one slot only").isEqualTo(1);
        assertThat(limits.tryAcquire("mx:slow.test")).isPresent();
        assertThat(limits.tryAcquire("mx:slow.test")).isEmpty();
    }

    @Test
    void theLimitDefaultsToHalfTheThreadsAndCannotExceedThem() {
        OutboundConfiguration defaults = OutboundConfiguration.parse(name -> Optional.empty(), StaticRoutesParser.SecretSource.SYSTEM, "h");
        assertThat(defaults.deliveryThreads()).isEqualTo(16);
        assertThat(defaults.destinationConcurrency()).isEqualTo(8);
        assertThat(defaults.immediateDeliveries()).as("first attempts straight from the spool").isEqualTo(8);
        assertThat(OutboundConfiguration.parse(name -> name.equals("immediateDeliveries") ? Optional.of("0") : Optional.empty(),
            StaticRoutesParser.SecretSource.SYSTEM, "h").immediateDeliveries()).isZero();
        OutboundConfiguration one = OutboundConfiguration.parse(name -> name.equals("deliveryThreads") ? Optional.of("1") : Optional.empty(),
            StaticRoutesParser.SecretSource.SYSTEM, "h");
        assertThat(one.destinationConcurrency()).isEqualTo(1);
        assertThatThrownBy(() -> OutboundConfiguration.parse(name -> switch (name) {
            case "deliveryThreads" -> Optional.of("4");
            case "destinationConcurrency" -> Optional.of("5");
            default -> Optional.empty();
        }, StaticRoutesParser.SecretSource.SYSTEM, "h")).hasMessageContaining("<destinationConcurrency>: 5 is more than <deliveryThreads> (4)");
    }
}
