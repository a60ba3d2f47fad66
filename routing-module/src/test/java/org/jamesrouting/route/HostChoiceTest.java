package org.jamesrouting.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

class HostChoiceTest {
    private static final List<String> HOSTS = List.of("a", "b", "c");

    private static Map<String, Integer> firsts(HostChoice choice, int draws) {
        Random random = new Random(42);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < draws; i++) {
            List<String> order = choice.arrange(HOSTS, () -> 1 - random.nextDouble());
            assertThat(order).containsExactlyInAnyOrderElementsOf(HOSTS);
            counts.merge(order.get(0), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void theFirstHostIsDrawnInProportionToTheWeights() {
        Map<String, Integer> counts = firsts(HostChoice.weighted(List.of(6, 3, 1)), 100_000);

        assertThat(counts.get("a") / 100_000.0).isCloseTo(0.6, org.assertj.core.data.Offset.offset(0.01));
        assertThat(counts.get("b") / 100_000.0).isCloseTo(0.3, org.assertj.core.data.Offset.offset(0.01));
        assertThat(counts.get("c") / 100_000.0).isCloseTo(0.1, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void randomSpreadsEvenlyAndInOrderKeepsTheOrder() {
        Map<String, Integer> counts = firsts(HostChoice.RANDOM, 90_000);

        assertThat(counts.values()).allMatch(count -> Math.abs(count - 30_000) < 1_000);
        assertThat(HostChoice.IN_ORDER.arrange(HOSTS, () -> 0.5)).containsExactlyElementsOf(HOSTS);
    }

    @Test
    void writtenAndParsed() {
        NextHop weighted = NextHop.parseHosts("a.test:2525*3, b.test*1");

        assertThat(weighted.choice()).isEqualTo(HostChoice.weighted(List.of(3, 1)));
        assertThat(weighted.asString()).isEqualTo("a.test:2525*3,b.test:25*1");
        assertThat(HostChoice.parseOrder("Random")).isEqualTo(HostChoice.RANDOM);
        assertThatThrownBy(() -> NextHop.parseHosts("a.test*3,b.test")).hasMessageContaining("give every host a weight (host*3), or none");
        assertThatThrownBy(() -> NextHop.parseHosts("a.test*0,b.test*1")).hasMessageContaining("a host's weight is 1 to 1000");
        assertThatThrownBy(() -> HostChoice.parseOrder("shuffled")).hasMessageContaining("order: 'shuffled' is not an order");
    }
}
