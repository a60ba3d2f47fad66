package org.jamesrouting.nexthop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jamesrouting.route.TlsMode;
import org.junit.jupiter.api.Test;

class MxTlsPolicyTest {
    private final MxTlsPolicy policy = MxTlsPolicy.parse(TlsMode.MAY, """
        # domain          level
        partner.example   verify
        .bank.example     secure match=.bank.example
        bank.example      encrypt      # the domain itself
        Legacy.Example    none
        """);

    @Test
    void theDomainItselfThenItsNearestParentThenTheDefault() {
        assertThat(policy.levelFor("partner.example")).isEqualTo(TlsMode.VERIFY);
        assertThat(policy.levelFor("sub.partner.example")).as("no .partner.example line").isEqualTo(TlsMode.MAY);
        assertThat(policy.levelFor("bank.example")).isEqualTo(TlsMode.ENCRYPT);
        assertThat(policy.levelFor("eu.bank.example").describe()).isEqualTo("secure match=.bank.example");
        assertThat(policy.levelFor("a.eu.bank.example").describe()).isEqualTo("secure match=.bank.example");
        assertThat(policy.levelFor("LEGACY.example")).isEqualTo(TlsMode.NONE);
        assertThat(policy.levelFor("other.example")).isEqualTo(TlsMode.MAY);
        assertThat(policy.overrideFor("eu.bank.example")).contains(".bank.example");
        assertThat(policy.overrideFor("other.example")).isEmpty();
    }

    @Test
    void badLinesNameTheLineAndTheProblem() {
        assertThatThrownBy(() -> MxTlsPolicy.parse(TlsMode.MAY, "a.example verify\nb.example sometimes"))
            .hasMessageStartingWith("<mxTlsPolicy> line 2: 'sometimes' is not a TLS level");
        assertThatThrownBy(() -> MxTlsPolicy.parse(TlsMode.MAY, "a..example verify"))
            .hasMessageStartingWith("<mxTlsPolicy> line 1: 'a..example' is not a domain");
        assertThatThrownBy(() -> MxTlsPolicy.parse(TlsMode.MAY, "a.example"))
            .hasMessageStartingWith("<mxTlsPolicy> line 1: expected 'domain level [match=names]'");
        assertThatThrownBy(() -> MxTlsPolicy.parse(TlsMode.MAY, "a.example implicit"))
            .hasMessageContaining("implicit TLS is for relays");
        assertThatThrownBy(() -> MxTlsPolicy.parse(TlsMode.MAY, "a.example verify match=.a.example"))
            .hasMessageContaining("tls-match is for tls=secure");
        assertThatThrownBy(() -> MxTlsPolicy.parse(TlsMode.MAY, "a.example verify\nA.example none"))
            .hasMessage("<mxTlsPolicy> line 2: A.example is given twice");
    }
}
