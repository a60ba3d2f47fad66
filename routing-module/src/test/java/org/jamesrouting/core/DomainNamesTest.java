package org.jamesrouting.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.james.core.Domain;
import org.junit.jupiter.api.Test;

class DomainNamesTest {
    @Test
    void lowerCasesAndDropsTrailingDot() {
        assertThat(DomainNames.normalize(" Example.COM. ")).isEqualTo(Domain.of("example.com"));
    }

    @Test
    void turnsInternationalizedNamesIntoPunycode() {
        assertThat(DomainNames.normalize("Bücher.example").asString()).isEqualTo("xn--bcher-kva.example");
    }

    @Test
    void punycodeAndUnicodeSpellingsAreEqual() {
        assertThat(DomainNames.normalize("xn--bcher-kva.example")).isEqualTo(DomainNames.normalize("bücher.example"));
    }

    @Test
    void rejectsWhatIsNoDomain() {
        assertThatThrownBy(() -> DomainNames.normalize("bad domain.com"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("'bad domain.com' is not a valid domain name");
        assertThatThrownBy(() -> DomainNames.normalize("a..b"))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DomainNames.normalize(" "))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("empty");
    }
}
