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
        for (String text : new String[] {"*", "example.com", "*.example.com", ".example.com", "u@example.com", "u@*", "s*@e?.test"}) {
            assertThat(AddressPattern.parse(AddressPattern.parse(text).asString())).isEqualTo(AddressPattern.parse(text));
        }
    }

    @Test
    void otherWildcardsMatchTheWholeAddressOrTheDomain() {
        assertThat(AddressPattern.parse("sales*@example.com").kind()).isEqualTo(AddressPattern.Kind.WILDCARD);
        assertThat(matches("sales*@example.com", "Sales-EU@example.com")).isTrue();
        assertThat(matches("sales*@example.com", "sale@example.com")).isFalse();
        assertThat(matches("mx?.example.com", "a@mx1.example.com")).isTrue();
        assertThat(matches("mx?.example.com", "a@mx12.example.com")).isFalse();
        assertThat(matches("order%%%@shop.test", "order123@shop.test")).isTrue();
        assertThat(matches("order%%%@shop.test", "order12x@shop.test")).isFalse();
        assertThat(matches("*example.com", "a@myexample.com")).isTrue();
        assertThat(matches("*.*.example.com", "a@b.c.example.com")).isTrue();
        assertThat(matches("*.*.example.com", "a@c.example.com")).isFalse();
        assertThat(matches("user@*.example.com", "user@eu.example.com")).isTrue();
        assertThat(matches("user@*.example.com", "user@example.com")).isFalse();
        assertThat(AddressPattern.parse("Sales*@Example.com").asString()).isEqualTo("sales*@example.com");
        assertThat(AddressPattern.parse("*.example.com").kind()).isEqualTo(AddressPattern.Kind.SUBDOMAINS);
        assertThat(AddressPattern.parse("u@*").kind()).isEqualTo(AddressPattern.Kind.LOCAL_PART);
    }

    @Test
    void refusesWhatIsNoneOfTheKinds() {
        assertThatThrownBy(() -> AddressPattern.parse("@example.com")).hasMessageContaining("empty user part");
        assertThatThrownBy(() -> AddressPattern.parse("@ex*.com")).hasMessageContaining("empty user part");
        assertThatThrownBy(() -> AddressPattern.parse("sales*@")).hasMessageContaining("empty domain part");
        assertThatThrownBy(() -> AddressPattern.parse("a b*@example.com")).hasMessageContaining("a space");
        assertThatThrownBy(() -> AddressPattern.parse("exa mple.com")).hasMessageContaining("not a valid domain name");
        assertThatThrownBy(() -> AddressPattern.parse("")).hasMessageContaining("empty");
    }
}
