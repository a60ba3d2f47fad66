package org.jamesrouting.smtpclient;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;

import org.jamesrouting.dns.TlsaLookup.Tlsa;
import org.jamesrouting.testing.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RFC 7672 certificate checks against a real chain made by openssl (a test CA and a server certificate for mx.dane.test). */
class DaneVerifierTest {
    @TempDir
    static Path directory;
    static X509Certificate[] chain;
    static X509Certificate other;

    @BeforeAll
    static void certificates() throws Exception {
        TestPki pki = TestPki.create(directory.resolve("a"), "mx.dane.test");
        TestPki another = TestPki.create(directory.resolve("b"), "mx.dane.test");
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        try (InputStream in = Files.newInputStream(pki.serverChain())) {
            chain = factory.generateCertificates(in).toArray(X509Certificate[]::new);
        }
        try (InputStream in = Files.newInputStream(another.caCertificate())) {
            other = (X509Certificate) factory.generateCertificate(in);
        }
        assertThat(chain).hasSize(2);
    }

    private static Tlsa record(int usage, int selector, int matching, X509Certificate certificate) throws Exception {
        byte[] selected = selector == 0 ? certificate.getEncoded() : certificate.getPublicKey().getEncoded();
        byte[] data = switch (matching) {
            case 1 -> MessageDigest.getInstance("SHA-256").digest(selected);
            case 2 -> MessageDigest.getInstance("SHA-512").digest(selected);
            default -> selected;
        };
        return new Tlsa(usage, selector, matching, data);
    }

    @Test
    void daneEeMatchesTheServersOwnCertificateOrKeyWhateverItsNamesAndIssuer() throws Exception {
        for (int selector = 0; selector <= 1; selector++) {
            for (int matching = 0; matching <= 2; matching++) {
                Tlsa tlsa = record(3, selector, matching, chain[0]);
                assertThat(DaneVerifier.check(chain, List.of(tlsa), List.of("some.other.name"), new Date())).as(tlsa.describe()).isEmpty();
            }
        }
        assertThat(DaneVerifier.check(new X509Certificate[] {chain[0]}, List.of(record(3, 1, 1, chain[0])), List.of(), new Date())).isEmpty();
    }

    @Test
    void aRecordForAnotherKeyDoesNotMatch() throws Exception {
        assertThat(DaneVerifier.check(chain, List.of(record(3, 1, 1, other)), List.of("mx.dane.test"), new Date()))
            .hasValueSatisfying(why -> assertThat(why).startsWith("no TLSA record matches the certificate"));
        assertThat(DaneVerifier.check(chain, List.of(record(3, 1, 1, chain[1])), List.of("mx.dane.test"), new Date()))
            .as("DANE-EE is the server's certificate, not its issuer's").isPresent();
    }

    @Test
    void daneTaMatchesTheIssuerInTheChainWhichMustSignTheServerCertificateNamingTheHost() throws Exception {
        Tlsa issuer = record(2, 1, 1, chain[1]);
        assertThat(DaneVerifier.check(chain, List.of(issuer), List.of("mx.dane.test"), new Date())).isEmpty();
        assertThat(DaneVerifier.check(chain, List.of(issuer), List.of("mx.other.test"), new Date()))
            .hasValueSatisfying(why -> assertThat(why).contains("not mx.other.test"));
        X509Certificate[] forged = {chain[0], other};
        assertThat(DaneVerifier.check(forged, List.of(record(2, 1, 1, other)), List.of("mx.dane.test"), new Date()))
            .hasValueSatisfying(why -> assertThat(why).contains("does not hold"));
        assertThat(DaneVerifier.check(chain, List.of(issuer), List.of("mx.dane.test"), new Date(System.currentTimeMillis() + 3650L * 86_400_000)))
            .as("an expired server certificate").hasValueSatisfying(why -> assertThat(why).contains("does not hold"));
    }

    @Test
    void pkixUsagesAreNotUsableWithSmtp() throws Exception {
        Tlsa pkixEe = record(1, 1, 1, chain[0]);
        assertThat(DaneVerifier.usable(pkixEe)).isFalse();
        assertThat(DaneVerifier.usable(record(0, 1, 1, chain[1]))).isFalse();
        assertThat(DaneVerifier.usable(new Tlsa(3, 2, 1, new byte[32]))).isFalse();
        assertThat(DaneVerifier.check(chain, List.of(pkixEe), List.of("mx.dane.test"), new Date())).isPresent();
    }
}
