package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import org.jamesrouting.delivery.OutboundDelivery;
import org.jamesrouting.testing.SignedDns;
import org.jamesrouting.testing.TestHttpsServer;
import org.jamesrouting.testing.TestPorts;
import org.jamesrouting.testing.TestSmtpServer;
import org.jamesrouting.testing.TestTls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * DANE (RFC 7672) end to end: a real validating resolver (Unbound) serves zones signed at start
 * with BIND's tools, and our James asks it (on loopback, so its AD bit is believed), at
 * {@code <mxTls>dane</mxTls>}. SMTP peers on 127.0.0.6-10 present one self-signed certificate;
 * the TLSA records name its key, another key, or are bogus.
 */
class DaneIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path directory;
    static InProcessJames james;
    static SignedDns dns;
    static TestSmtpServer dane;
    static TestSmtpServer wrongKey;
    static TestSmtpServer bogus;
    static TestSmtpServer unsigned;
    static TestSmtpServer strict;
    static TestSmtpServer both;
    static TestHttpsServer https;
    static LogCapture log;

    @BeforeAll
    static void start() throws Exception {
        TestTls tls = TestTls.create(directory, "mta-sts.both.test");
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(tls.keystore())) {
            store.load(in, TestTls.PASSWORD.toCharArray());
        }
        String key = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
            .digest(store.getCertificate("test").getPublicKey().getEncoded()));
        String otherKey = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest("another key".getBytes()));
        String distinct = "ab".repeat(32);
        int mxPort = TestPorts.free();
        dane = TestSmtpServer.start("127.0.0.6", mxPort).offerStartTls(tls.serverContext());
        wrongKey = TestSmtpServer.start("127.0.0.7", mxPort).offerStartTls(tls.serverContext());
        bogus = TestSmtpServer.start("127.0.0.8", mxPort).offerStartTls(tls.serverContext());
        unsigned = TestSmtpServer.start("127.0.0.9", mxPort).offerStartTls(tls.serverContext());
        strict = TestSmtpServer.start("127.0.0.10", mxPort).offerStartTls(tls.serverContext());
        both = TestSmtpServer.start("127.0.0.11", mxPort).offerStartTls(tls.serverContext());
        // both.test has DANE and an MTA-STS policy in enforce mode that does not list its MX
        https = TestHttpsServer.start(tls.serverContext()).serve("mta-sts.both.test",
            TestHttpsServer.Answer.policy("version: STSv1\r\nmode: enforce\r\nmx: mx.elsewhere.test\r\nmax_age: 86400\r\n"));
        String tlsa = "_" + mxPort + "._tcp.mx IN TLSA 3 1 1 ";
        dns = SignedDns.start(directory, List.of(
            new SignedDns.Zone("dane.test", "@ IN MX 10 mx\nmx IN A 127.0.0.6\n" + tlsa + key, true),
            new SignedDns.Zone("wrongkey.test", "@ IN MX 10 mx\nmx IN A 127.0.0.7\n" + tlsa + otherKey, true),
            SignedDns.Zone.tampered("bogus.test", "@ IN MX 10 mx\nmx IN A 127.0.0.8\n" + tlsa + distinct,
                "ABABABABABABABABABABABAB", "CDCDABABABABABABABABABAB"),
            new SignedDns.Zone("unsigned.test", "@ IN MX 10 mx\nmx IN A 127.0.0.9\n" + tlsa + otherKey, false),
            new SignedDns.Zone("strict.test", "@ IN MX 10 mx\nmx IN A 127.0.0.10\n", false),
            new SignedDns.Zone("both.test", "@ IN MX 10 mx\nmx IN A 127.0.0.11\n" + tlsa + key
                + "\n_mta-sts IN TXT \"v=STSv1; id=b1;\"\nmta-sts IN A 127.0.0.1\n", true)));
        JamesHome home = JamesHome.fromProjectConf(directory.resolve("james"))
            .outboundRouter("""
                <dnsServers>%s</dnsServers>
                <mxPort>%d</mxPort>
                <mxTls>dane</mxTls>
                <mxTlsPolicy>strict.test dane-only</mxTlsPolicy>
                <mtaStsPort>%d</mtaStsPort>
                <truststore>%s</truststore>
                <truststorePassword>%s</truststorePassword>
                <retrySchedule>1s</retrySchedule>
                <connectTimeout>2s</connectTimeout>
                <commandTimeout>10s</commandTimeout>
                """.formatted(dns.server(), mxPort, https.port(), tls.keystore(), TestTls.PASSWORD));
        log = LogCapture.of(OutboundDelivery.class);
        james = InProcessJames.start(home);
    }

    @AfterAll
    static void stop() throws Exception {
        log.close();
        if (james != null) {
            james.close();
        }
        for (AutoCloseable closeable : new AutoCloseable[] {dns, https, dane, wrongKey, bogus, unsigned, strict, both}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    private static TestSmtpServer.Received awaitAt(TestSmtpServer peer, String id) throws Exception {
        return ItSupport.await(id, () -> peer.received().stream()
            .filter(mail -> mail.header("Message-ID").orElse("").equals(id)).findFirst().orElse(null));
    }

    private static void awaitQueued(String recipient, String reason) throws Exception {
        ItSupport.await(recipient + " deferred: " + reason, () -> {
            for (JsonNode mail : JSON.readTree(james.webAdmin().get("/routing/queue").body()).path("mails")) {
                if (mail.path("recipients").toString().contains(recipient) && mail.path("reason").asText().contains(reason)) {
                    return true;
                }
            }
            return null;
        });
    }

    @Test
    void aCertificateMatchingTheSignedTlsaRecordGetsTheMail() throws Exception {
        String id = ItSupport.send(james, "alice@example.com", "bob@dane.test", "DANE-EE match");
        assertThat(awaitAt(dane, id).tls()).isTrue();
        assertThat(log.anyLineWith("mx.dane.test", "(TLSv1.3 verified by DANE)")).as("a log line with mx.dane.test and (TLSv1.3 verified by DANE)").isTrue();
        String lastTls = ItSupport.await("the status of mx:dane.test", () -> {
            for (JsonNode destination : JSON.readTree(james.webAdmin().get("/routing/status").body()).path("destinations")) {
                if (destination.path("destination").asText().equals("mx:dane.test") && !destination.path("lastTls").isNull()) {
                    return destination.path("lastTls").asText();
                }
            }
            return null;
        });
        assertThat(lastTls).isEqualTo("TLSv1.3 verified by DANE");
    }

    @Test
    void aCertificateNotMatchingItIsNotSentAByte() throws Exception {
        ItSupport.send(james, "alice@example.com", "bob@wrongkey.test", "DANE-EE mismatch");
        awaitQueued("bob@wrongkey.test", "DANE: no TLSA record matches the certificate");
        assertThat(wrongKey.received()).isEmpty();
        assertThat(wrongKey.commands()).noneMatch(command -> command.startsWith("MAIL") || command.startsWith("RCPT"));
    }

    @Test
    void aBogusTlsaAnswerMeansTheHostIsNotUsedAtAll() throws Exception {
        ItSupport.send(james, "alice@example.com", "bob@bogus.test", "bogus TLSA");
        awaitQueued("bob@bogus.test", "the TLSA lookup of mx.bogus.test failed");
        assertThat(bogus.connections()).isZero();
    }

    @Test
    void anUnsignedDomainGetsTheMailAsAtMayWhateverItsTlsaRecordsSay() throws Exception {
        String id = ItSupport.send(james, "alice@example.com", "bob@unsigned.test", "no DNSSEC");
        assertThat(awaitAt(unsigned, id).tls()).isTrue();
    }

    @Test
    void daneOnlyForAnUnsignedDomainSendsNothing() throws Exception {
        ItSupport.send(james, "alice@example.com", "bob@strict.test", "dane-only without DNSSEC");
        awaitQueued("bob@strict.test", "dane-only sends nothing without DANE");
        assertThat(strict.connections()).isZero();
    }

    @Test
    void whereDaneAppliesItWinsOverAnMtaStsPolicy() throws Exception {
        String id = ItSupport.send(james, "alice@example.com", "bob@both.test", "DANE and MTA-STS");
        assertThat(awaitAt(both, id).tls()).isTrue();
        assertThat(log.anyLineWith("mx.both.test", "(TLSv1.3 verified by DANE)")).as("delivered by DANE").isTrue();
        JsonNode policy = JSON.readTree(james.webAdmin().get("/routing/mta-sts/both.test").body());
        assertThat(policy.path("inForce").asBoolean()).as("the policy was there, in enforce mode, not listing mx.both.test").isTrue();
        assertThat(policy.path("mode").asText()).isEqualTo("enforce");
    }

    @Test
    void explainShowsTheDaneDecisionOfEachMx() throws Exception {
        JsonNode hop = JSON.readTree(james.webAdmin().get("/routing/explain?address=bob@dane.test").body()).path("hops").get(0);
        assertThat(hop.path("note").asText()).contains("DANE: 1 usable TLSA record(s) for mx.dane.test", "3 1 1 ");
        assertThat(hop.path("tls").asText()).startsWith("dane-only");
        JsonNode unsignedHop = JSON.readTree(james.webAdmin().get("/routing/explain?address=bob@unsigned.test").body()).path("hops").get(0);
        assertThat(unsignedHop.path("note").asText()).contains("not DNSSEC-validated", "dane falls back to may");
        assertThat(unsignedHop.path("tls").asText()).startsWith("may");
    }
}
