package org.jamesrouting.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class WildcardTest {
    @Test
    void starQuestionMarkAndPercent() {
        assertThat(Wildcard.parse("*invoice*").matches("Your INVOICE of May")).isTrue();
        assertThat(Wildcard.parse("*invoice*").matches("Your bill")).isFalse();
        assertThat(Wildcard.parse("a?c").matches("abc")).isTrue();
        assertThat(Wildcard.parse("a?c").matches("ac")).isFalse();
        assertThat(Wildcard.parse("order%%").matches("order42")).isTrue();
        assertThat(Wildcard.parse("order%%").matches("order4x")).isFalse();
        assertThat(Wildcard.parse("*").matches("")).isTrue();
        assertThat(Wildcard.parse("a.b(c)[d]+").matches("A.B(C)[D]+")).as("regex characters stand for themselves").isTrue();
        assertThat(Wildcard.parse("a.b").matches("axb")).isFalse();
        assertThat(Wildcard.parse("*\\d*").matches("x\\dy")).isTrue();
        assertThat(Wildcard.literal("50%*").matches("50%*")).isTrue();
        assertThat(Wildcard.literal("50%*").matches("501x")).isFalse();
        assertThatThrownBy(() -> Wildcard.parse("")).hasMessageContaining("empty");
    }

    @Test
    void routeConditionsRefuseBadInput() {
        assertThatThrownBy(() -> RouteConditions.of(Optional.empty(), Optional.empty(), List.of("X-Route"))).hasMessageContaining("Name=value");
        assertThatThrownBy(() -> RouteConditions.of(Optional.empty(), Optional.empty(), List.of("=bulk"))).hasMessageContaining("Name=value");
        assertThatThrownBy(() -> RouteConditions.of(Optional.empty(), Optional.empty(), List.of("X Route=bulk"))).hasMessageContaining("not a header name");
        assertThatThrownBy(() -> RouteConditions.of(Optional.empty(), Optional.empty(), List.of("X-Route="))).hasMessageContaining("empty value");
        assertThatThrownBy(() -> RouteConditions.of(Optional.of("a b@c"), Optional.empty(), List.of()))
            .hasMessageContaining("a space");
        assertThatThrownBy(() -> RouteConditions.of(Optional.empty(), Optional.of(""), List.of())).hasMessageContaining("empty pattern");
        assertThat(RouteConditions.of(Optional.empty(), Optional.empty(), List.of())).isSameAs(RouteConditions.NONE);
        assertThat(RouteConditions.of(Optional.of("<>"), Optional.empty(), List.of("Subject~*x*")).describe())
            .isEqualTo("sender <>, header Subject~*x*");
    }

    /** Against the regular expression the patterns stand for, on random patterns and texts of a small alphabet. */
    @Test
    void agreesWithTheEquivalentRegularExpression() {
        java.util.Random random = new java.util.Random(42);
        String alphabet = "ab1*?%";
        for (int round = 0; round < 20_000; round++) {
            StringBuilder pattern = new StringBuilder();
            int length = 1 + random.nextInt(7);
            for (int i = 0; i < length; i++) {
                pattern.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            StringBuilder text = new StringBuilder();
            int textLength = random.nextInt(9);
            for (int i = 0; i < textLength; i++) {
                text.append("abAB12".charAt(random.nextInt(6)));
            }
            String regex = pattern.toString().replace("*", ".*").replace("?", ".").replace("%", "[0-9]");
            boolean expected = java.util.regex.Pattern.compile(regex, java.util.regex.Pattern.CASE_INSENSITIVE).matcher(text).matches();
            assertThat(Wildcard.parse(pattern.toString()).matches(text.toString())).as(pattern + " ~ " + text).isEqualTo(expected);
        }
    }

    @Test
    void aLongTextThatAlmostMatchesIsDecidedWithoutBacktracking() {
        String subject = "invoice ".repeat(25_000) + "unpaid";
        assertThat(Wildcard.parse("*invoice*invoice*invoice*paid*x").matches(subject)).isFalse();
        assertThat(Wildcard.parse("*invoice*invoice*invoice*paid").matches(subject)).isTrue();
    }
}
