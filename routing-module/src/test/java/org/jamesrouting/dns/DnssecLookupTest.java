package org.jamesrouting.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import org.jamesrouting.testing.SignedDns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The AD bit of a real validating resolver (Unbound with zones signed at start by BIND's tools), as MailDns reports it. */
class DnssecLookupTest {
    private static final String TLSA = "3 1 1 " + "ab".repeat(32);

    @TempDir
    static Path directory;
    static SignedDns dns;

    @BeforeAll
    static void start() throws Exception {
        String records = "@ IN MX 10 mx\nmx IN A 127.0.0.6\n_25._tcp.mx IN TLSA " + TLSA + "\n";
        dns = SignedDns.start(directory, List.of(
            new SignedDns.Zone("signed.test", records, true),
            new SignedDns.Zone("plain.test", records, false),
            SignedDns.Zone.tampered("tampered.test", records, "127.0.0.6", "127.0.0.7")));
    }

    @AfterAll
    static void stop() throws Exception {
        dns.close();
    }

    private static DnsjavaMailDns mailDns() {
        return new DnsjavaMailDns(List.of(new InetSocketAddress("127.0.0.1", dns.port())), Duration.ofSeconds(5),
            new DomainNameCache(100, Clock.systemUTC()), Duration.ofMinutes(5), new Random());
    }

    @Test
    void answersFromASignedZoneAreAuthenticated() throws Exception {
        MailDns mail = mailDns();
        assertThat(mail.mx("signed.test")).as(dns.log()).isInstanceOf(MxLookup.Hosts.class);
        assertThat(mail.dnssec()).isTrue();
        assertThat(((MxLookup.Hosts) mail.mx("signed.test")).authenticated()).isTrue();
        assertThat(((AddressLookup.Found) mail.addresses("mx.signed.test")).authenticated()).isTrue();
        TlsaLookup tlsa = mail.tlsa("mx.signed.test", 25);
        assertThat(tlsa).isInstanceOf(TlsaLookup.Found.class);
        assertThat(((TlsaLookup.Found) tlsa).authenticated()).isTrue();
        assertThat(((TlsaLookup.Found) tlsa).records().get(0).describe()).isEqualTo(TLSA);
        assertThat(mail.tlsa("mx.signed.test", 2525)).isEqualTo(new TlsaLookup.NotFound(true));
    }

    @Test
    void answersFromAnUnsignedZoneAreNot() {
        MailDns mail = mailDns();
        assertThat(((MxLookup.Hosts) mail.mx("plain.test")).authenticated()).isFalse();
        assertThat(((TlsaLookup.Found) mail.tlsa("mx.plain.test", 25)).authenticated()).isFalse();
    }

    @Test
    void bogusAnswersAreFailures() {
        assertThat(mailDns().addresses("mx.tampered.test")).isInstanceOf(AddressLookup.Failure.class);
    }

    @Test
    void theAdBitIsNotBelievedFromAServerElsewhere() {
        DnsjavaMailDns remote = new DnsjavaMailDns(List.of(new InetSocketAddress("192.0.2.53", 53), new InetSocketAddress("127.0.0.1", 53)),
            Duration.ofSeconds(1), new DomainNameCache(10, Clock.systemUTC()), Duration.ofMinutes(5), new Random());
        assertThat(remote.dnssec()).isFalse();
    }
}
