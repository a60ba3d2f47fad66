package org.jamesrouting.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jamesrouting.route.Rate;
import org.junit.jupiter.api.Test;

class DestinationRatesTest {
    @Test
    void destinationsAreNamedAsStatusNamesThem() {
        DestinationRates rates = DestinationRates.parse(" smarthost 100/m, Gmail.COM 60/m , mx:example.org 10/h, route bulk 5/s,");

        assertThat(rates.of("smart host")).contains(Rate.parse("100/m"));
        assertThat(rates.of("mx:gmail.com")).contains(Rate.parse("60/m"));
        assertThat(rates.of("mx:example.org")).contains(Rate.parse("10/h"));
        assertThat(rates.of("route bulk")).contains(Rate.parse("5/s"));
        assertThat(rates.of("mx:other.test")).isEmpty();
        assertThat(DestinationRates.parse("").rates()).isEmpty();
    }

    @Test
    void aBadEntryIsNamed() {
        assertThatThrownBy(() -> DestinationRates.parse("smart host 100/m, gmail.com")).hasMessageContaining("'gmail.com': write a destination and its rate");
        assertThatThrownBy(() -> DestinationRates.parse("gmail.com fast")).hasMessageContaining("'gmail.com fast': rate: 'fast' is not a rate");
        assertThatThrownBy(() -> DestinationRates.parse("gmail.com 1/s, mx:gmail.com 2/s")).hasMessageContaining("mx:gmail.com is given twice");
    }
}
