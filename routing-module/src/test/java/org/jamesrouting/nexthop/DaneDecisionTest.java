package org.jamesrouting.nexthop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.jamesrouting.dns.TlsaLookup;
import org.jamesrouting.route.TlsMode;
import org.junit.jupiter.api.Test;

class DaneDecisionTest {
    private static final TlsaLookup.Tlsa EE = new TlsaLookup.Tlsa(3, 1, 1, new byte[32]);
    private static final TlsaLookup.Tlsa PKIX = new TlsaLookup.Tlsa(1, 1, 1, new byte[32]);

    private static DaneDecision decide(TlsMode level, boolean mx, boolean address, TlsaLookup tlsa) {
        return DaneDecision.decide(level, "dane.test", "mx.dane.test", mx, address, tlsa);
    }

    @Test
    void everythingValidatedWithUsableRecordsIsDane() {
        for (TlsMode level : List.of(TlsMode.DANE, TlsMode.DANE_ONLY)) {
            DaneDecision decision = decide(level, true, true, new TlsaLookup.Found(List.of(EE, PKIX), true));
            assertThat(decision.kind()).isEqualTo(DaneDecision.Kind.DANE);
            assertThat(decision.tls()).isEqualTo(TlsMode.DANE_ONLY);
            assertThat(decision.records()).containsExactly(EE);
        }
    }

    @Test
    void withoutDnssecDaneIsMayAndDaneOnlySendsNothing() {
        TlsaLookup found = new TlsaLookup.Found(List.of(EE), true);
        assertThat(decide(TlsMode.DANE, false, true, found).tls()).isEqualTo(TlsMode.MAY);
        assertThat(decide(TlsMode.DANE, true, false, found).reason()).contains("address records of mx.dane.test are not DNSSEC-validated");
        assertThat(decide(TlsMode.DANE, true, true, new TlsaLookup.Found(List.of(EE), false)).kind()).isEqualTo(DaneDecision.Kind.WITHOUT_DANE);
        assertThat(decide(TlsMode.DANE, true, true, new TlsaLookup.NotFound(true)).tls()).isEqualTo(TlsMode.MAY);
        assertThat(decide(TlsMode.DANE_ONLY, false, true, found).kind()).isEqualTo(DaneDecision.Kind.SKIP);
        assertThat(decide(TlsMode.DANE_ONLY, true, true, new TlsaLookup.NotFound(true)).reason()).contains("dane-only sends nothing");
    }

    @Test
    void aFailedTlsaLookupSkipsTheHostAtBothLevels() {
        for (TlsMode level : List.of(TlsMode.DANE, TlsMode.DANE_ONLY)) {
            DaneDecision decision = decide(level, true, true, new TlsaLookup.Failure("SERVFAIL"));
            assertThat(decision.kind()).isEqualTo(DaneDecision.Kind.SKIP);
            assertThat(decision.reason()).contains("TLSA lookup of mx.dane.test failed (SERVFAIL)");
        }
    }

    @Test
    void recordsOfWhichNoneIsUsableMeanTlsUnauthenticated() {
        DaneDecision decision = decide(TlsMode.DANE, true, true, new TlsaLookup.Found(List.of(PKIX), true));
        assertThat(decision.kind()).isEqualTo(DaneDecision.Kind.WITHOUT_DANE);
        assertThat(decision.tls()).isEqualTo(TlsMode.ENCRYPT);
    }

    @Test
    void otherLevelsAreLeftAlone() {
        assertThat(decide(TlsMode.VERIFY, false, false, new TlsaLookup.Failure("x"))).isEqualTo(
            new DaneDecision(DaneDecision.Kind.WITHOUT_DANE, TlsMode.VERIFY, List.of(), ""));
    }
}
