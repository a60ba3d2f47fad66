package org.jamesrouting.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AddressPatternTest {
    private static boolean matches(String pattern, String address) {
        RoutingAddress parsed = RoutingAddress.parse(address);
        return AddressPattern.parse(pattern).matches(parsed.localPart(), parsed.domain());
    }

    @Test
    void everyKindMatchesWhatItSays() {
        assertThat(matches("*", "a@b.c")).isTrue();

        assertThat(matches("example.com", "a@example.com")).isTrue();
        assertThat(matches("example.com", "a@sub.example.com")).isFalse();

        assertThat(matches("*.example.com", "a@sub.example.com")).isTrue();
        assertThat(matches("*.example.com", "a@deep.sub.example.com")).isTrue();
        assertThat(matches("*.example.com", "a@example.com")).isFalse();
        assertThat(matches("*.example.com", "a@badexample.com")).isFalse();

        assertThat(matches(".example.com", "a@example.com")).isTrue();
        assertThat(matches(".example.com", "a@sub.example.com")).isTrue();
        assertThat(matches(".example.com", "a@notexample.com")).isFalse();

        assertThat(matches("user@example.com", "user@example.com")).isTrue();
        assertThat(matches("user@example.com", "other@example.com")).isFalse();
        assertThat(matches("user@example.com", "user@sub.example.com")).isFalse();

        assertThat(matches("user@*", "user@anything.test")).isTrue();
        assertThat(matches("user@*", "users@anything.test")).isFalse();
    }

    @Test
    void isCaseInsensitiveAndNormalizesIdn() {
        assertThat(matches("USER@Example.COM", "user@EXAMPLE.com")).isTrue();
        assertThat(matches("*.bücher.example", "a@shop.xn--bcher-kva.example")).isTrue();
        assertThat(AddressPattern.parse(".Bücher.example").asString()).isEqualTo(".xn--bcher-kva.example");
    }

    @Test
    void roundTripsThroughItsText() {
        for (String text : new String[] {"*", "example.com", "*.example.com", ".example.com", "u@example.com", "u@*"}) {
            assertThat(AddressPattern.parse(AddressPattern.parse(text).asString())).isEqualTo(AddressPattern.parse(text));
        }
    }

    @Test
    void refusesWhatIsNoneOfTheKinds() {
        assertThatThrownBy(() -> AddressPattern.parse("ex*ample.com")).hasMessageContaining("'*' is allowed alone");
        assertThatThrownBy(() -> AddressPattern.parse("*example.com")).hasMessageContaining("'*' is allowed alone");
        assertThatThrownBy(() -> AddressPattern.parse("us*r@example.com")).hasMessageContaining("not allowed in the user part");
        assertThatThrownBy(() -> AddressPattern.parse("@example.com")).hasMessageContaining("empty user part");
        assertThatThrownBy(() -> AddressPattern.parse("*.*.example.com")).hasMessageContaining("'*' is allowed alone");
        assertThatThrownBy(() -> AddressPattern.parse("exa mple.com")).hasMessageContaining("not a valid domain name");
        assertThatThrownBy(() -> AddressPattern.parse("")).hasMessageContaining("empty");
    }
}
