package org.jamesrouting.nexthop;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

import org.jamesrouting.dns.AddressLookup;
import org.jamesrouting.dns.MailDns;
import org.jamesrouting.dns.MxLookup;
import org.jamesrouting.dns.TlsaLookup;
import org.jamesrouting.dns.TxtLookup;
import org.jamesrouting.mtasts.MtaStsPolicies;
import org.jamesrouting.route.TlsMode;
import org.junit.jupiter.api.Test;

/** One MX host's TLS: DANE first, then the domain's MTA-STS policy (the one decision delivery and explain share). */
class MxHostTlsTest {
    private static final TlsaLookup.Tlsa EE = new TlsaLookup.Tlsa(3, 1, 1, new byte[32]);

    /** mx.signed.test has validated address and TLSA records; every other host only an unvalidated address. */
    private static final MailDns DNS = new MailDns() {
        @Override
        public MxLookup mx(String domain) {
            throw new UnsupportedOperationException();
        }

        @Override
        public AddressLookup addresses(String host) {
            return new AddressLookup.Found(List.of(InetAddress.getLoopbackAddress()), host.equals("mx.signed.test"));
        }

        @Override
        public TxtLookup txt(String name) {
            return new TxtLookup.Found(List.of("v=STSv1; id=1;"));
        }

        @Override
        public TlsaLookup tlsa(String host, int port) {
            return host.equals("mx.signed.test") ? new TlsaLookup.Found(List.of(EE), true) : new TlsaLookup.NotFound(true);
        }
    };

    private static Optional<MtaStsPolicies.Finding> enforceListing(String mx) {
        MtaStsPolicies policies = new MtaStsPolicies(DNS, domain -> "version: STSv1\nmode: enforce\nmx: " + mx + "\nmax_age: 86400\n",
            Optional.empty(), Clock.systemUTC(), 10);
        return Optional.of(policies.policyFor("example.test"));
    }

    @Test
    void daneWinsOverAnEnforcedPolicyThatDoesNotListTheHost() {
        MxHostTls host = MxHostTls.decide(DNS, TlsMode.DANE, "example.test", "mx.signed.test", true, 25, enforceListing("mx.other.test"));
        assertThat(host.allowed()).isTrue();
        assertThat(host.dane()).containsExactly(EE);
        assertThat(host.tls()).isEqualTo(TlsMode.DANE_ONLY);
        assertThat(host.underPolicy()).isFalse();
    }

    @Test
    void withoutDaneTheEnforcedPolicyRefusesAnUnlistedHostAndSaysWhatDaneMadeOfIt() {
        MxHostTls host = MxHostTls.decide(DNS, TlsMode.DANE, "example.test", "mx.plain.test", true, 25, enforceListing("mx.other.test"));
        assertThat(host.allowed()).isFalse();
        assertThat(host.refusedBy()).isEqualTo("MTA-STS enforce");
        assertThat(host.refusal()).startsWith("not in the MTA-STS policy of example.test (enforce, mx: mx.other.test");
        assertThat(host.daneReason()).contains("address records of mx.plain.test are not DNSSEC-validated");
    }

    @Test
    void aListedHostGetsVerifyUnderThePolicy() {
        MxHostTls host = MxHostTls.decide(DNS, TlsMode.MAY, "example.test", "mx.plain.test", true, 25, enforceListing("mx.plain.test"));
        assertThat(host.allowed()).isTrue();
        assertThat(host.tls()).isEqualTo(TlsMode.VERIFY);
        assertThat(host.underPolicy()).isTrue();
        assertThat(host.daneReason()).isEmpty();
    }

    @Test
    void daneOnlyWithoutValidatedRecordsRefusesTheHost() {
        MxHostTls host = MxHostTls.decide(DNS, TlsMode.DANE_ONLY, "example.test", "mx.plain.test", true, 25, Optional.empty());
        assertThat(host.refusedBy()).isEqualTo("DANE");
        assertThat(host.refusal()).contains("dane-only sends nothing");
    }
}
