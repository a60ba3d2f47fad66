package org.jamesrouting.smtpclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

import org.jamesrouting.route.RelayAuth;
import org.jamesrouting.route.TlsMode;
import org.jamesrouting.testing.TestSmtpServer;
import org.jamesrouting.testing.TestSmtpServer.Stage;
import org.jamesrouting.testing.TestTls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our SMTP client against a real SMTP server on 127.0.0.1. */
class SmtpConnectionTest {
    private static final String MESSAGE = "Subject: hi\nFrom: <a@src.test>\n\nline one\n.starts with a dot\n..two dots\nend";

    @TempDir
    static Path directory;
    static TestTls tls;

    TestSmtpServer server;
    SmtpClientSettings trusting;

    @BeforeAll
    static void certificates() throws Exception {
        tls = TestTls.create(directory);
    }

    @BeforeEach
    void setUp() throws Exception {
        server = TestSmtpServer.start();
        trusting = SmtpClientSettings.defaults("client.test").withTrust(tls.trustManager());
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close();
    }

    private SmtpConnection open(TlsMode mode, SmtpClientSettings settings) throws SmtpFailure {
        return SmtpConnection.open(new InetSocketAddress("127.0.0.1", server.port()), "127.0.0.1", mode, settings);
    }

    private static SmtpConnection.Transaction send(SmtpConnection connection, String... recipients) throws Exception {
        return connection.send("a@src.test", List.of(recipients), OptionalLong.of(MESSAGE.length()),
            (out, eightBit) -> out.write(MESSAGE.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void deliversWithPipeliningAndKeepsTheContentIntact() throws Exception {
        try (SmtpConnection connection = open(TlsMode.NONE, trusting)) {
            SmtpConnection.Transaction transaction = send(connection, "x@dest.test", "y@dest.test");

            assertThat(transaction.outcomeFor("x@dest.test").code()).isEqualTo(250);
            assertThat(transaction.outcomeFor("y@dest.test").code()).isEqualTo(250);
        }
        TestSmtpServer.Received received = server.received().get(0);
        assertThat(received.sender()).isEqualTo("a@src.test");
        assertThat(received.recipients()).containsExactly("x@dest.test", "y@dest.test");
        assertThat(received.content()).isEqualTo(MESSAGE.replace("\n", "\r\n") + "\r\n");
        assertThat(received.mailFromLine()).contains("SIZE=" + MESSAGE.length()).contains("BODY=8BITMIME");
        assertThat(received.tls()).isFalse();
    }

    @Test
    void pipelinedCommandsLeaveInOneWriteAndWithoutPipeliningEachWaitsForItsReply() throws Exception {
        try (SmtpConnection connection = open(TlsMode.NONE, trusting)) {
            send(connection, "x@dest.test", "y@dest.test");
        }
        assertThat(server.arrivals()).as("RFC 2920: MAIL, RCPT... and DATA in one write")
            .contains(List.of("MAIL FROM:<a@src.test> SIZE=" + MESSAGE.length() + " BODY=8BITMIME", "RCPT TO:<x@dest.test>",
                "RCPT TO:<y@dest.test>", "DATA"));

        server.reset();
        server.withoutPipelining();
        int before = server.arrivals().size();
        try (SmtpConnection connection = open(TlsMode.NONE, trusting)) {
            send(connection, "x@dest.test", "y@dest.test");
        }
        assertThat(server.arrivals().subList(before, server.arrivals().size())).as("without PIPELINING, one command a write")
            .allMatch(arrival -> arrival.size() == 1);
    }

    @Test
    void theSendersDsnRequestGoesOnlyToAServerThatAnnouncesDsn() throws Exception {
        DsnRequest request = new DsnRequest(java.util.Optional.of("HDRS"), java.util.Optional.of("ENV1"),
            java.util.Map.of("x@dest.test", new DsnRequest.Recipient(java.util.Set.of("NEVER"), java.util.Optional.empty())));
        SmtpConnection.MessageWriter message = (out, eightBit) -> out.write(MESSAGE.getBytes(StandardCharsets.UTF_8));
        try (SmtpConnection connection = open(TlsMode.NONE, trusting)) {
            connection.send("a@src.test", List.of("x@dest.test", "y@dest.test"), OptionalLong.empty(), request, message);
        }
        assertThat(server.commands()).contains("RCPT TO:<x@dest.test>", "RCPT TO:<y@dest.test>")
            .noneMatch(command -> command.contains("NOTIFY") || command.contains("RET=") || command.contains("ENVID"));

        server.reset();
        server.offerDsn();
        try (SmtpConnection connection = open(TlsMode.NONE, trusting)) {
            connection.send("a@src.test", List.of("x@dest.test", "y@dest.test"), OptionalLong.empty(), request, message);
        }
        assertThat(server.commands()).contains("MAIL FROM:<a@src.test> BODY=8BITMIME RET=HDRS ENVID=ENV1",
            "RCPT TO:<x@dest.test> NOTIFY=NEVER", "RCPT TO:<y@dest.test>");
    }

    @Test
    void worksWithoutPipeliningOr8BitMime() throws Exception {
        server.withoutPipelining().without8BitMime();
        try (SmtpConnection connection = open(TlsMode.NONE, trusting)) {
            assertThat(send(connection, "x@dest.test").outcomeFor("x@dest.test").code()).isEqualTo(250);
            assertThat(connection.supports("PIPELINING")).isFalse();
        }
        assertThat(server.received().get(0).mailFromLine()).doesNotContain("BODY=");
    }

    @Test
    void aMessageOverTheServersSizeLimitIsRefusedWithoutSendingIt() throws Exception {
        server.sizeLimit(10);
        try (SmtpConnection connection = open(TlsMode.NONE, trusting)) {
            SmtpReply reply = send(connection, "x@dest.test").outcomeFor("x@dest.test");
            assertThat(reply.code()).isEqualTo(552);
            assertThat(reply.status()).isEqualTo("5.3.4");
        }
        assertThat(server.commands()).noneMatch(command -> command.startsWith("MAIL"));
    }

    @Test
    void tellsTheWriterWhetherEightBitMayBeSent() throws Exception {
        List<Boolean> seen = new java.util.ArrayList<>();
        SmtpConnection.MessageWriter writer = (out, eightBit) -> {
            seen.add(eightBit);
            out.write(MESSAGE.getBytes(StandardCharsets.UTF_8));
        };
        try (SmtpConnection connection = open(TlsMode.NONE, trusting)) {
            connection.send("a@src.test", List.of("x@dest.test"), OptionalLong.empty(), writer);
        }
        server.without8BitMime();
        try (SmtpConnection connection = open(TlsMode.NONE, trusting)) {
            connection.send("a@src.test", List.of("x@dest.test"), OptionalLong.empty(), writer);
        }
        assertThat(seen).containsExactly(true, false);
    }

    @Test
    void givesEachRecipientItsOwnReply() throws Exception {
        server.replyTo("gone@dest.test", "550 5.1.1 no such user").replyTo("later@dest.test", "450 4.2.1 mailbox busy");
        try (SmtpConnection connection = open(TlsMode.NONE, trusting)) {
            SmtpConnection.Transaction transaction = send(connection, "gone@dest.test", "ok@dest.test", "later@dest.test");

            assertThat(transaction.outcomeFor("gone@dest.test").status()).isEqualTo("5.1.1");
            assertThat(transaction.outcomeFor("gone@dest.test").isPermanent()).isTrue();
            assertThat(transaction.outcomeFor("later@dest.test").isTransient()).isTrue();
            assertThat(transaction.outcomeFor("ok@dest.test").code()).isEqualTo(250);
        }
        assertThat(server.received().get(0).recipients()).containsExactly("ok@dest.test");
    }

    @Test
    void aConnectionCarriesSeveralTransactions() throws Exception {
        try (SmtpConnection connection = open(TlsMode.NONE, trusting)) {
            send(connection, "x@dest.test");
            send(connection, "y@dest.test");
        }
        assertThat(server.received()).hasSize(2);
        assertThat(server.connections()).isEqualTo(1);
    }

    @Test
    void opportunisticStartTlsIsUsedWhenOffered() throws Exception {
        server.offerStartTls(tls.serverContext());
        try (SmtpConnection connection = open(TlsMode.MAY, trusting)) {
            assertThat(connection.isTlsActive()).isTrue();
            send(connection, "x@dest.test");
        }
        assertThat(server.received().get(0).tls()).isTrue();
    }

    @Test
    void opportunisticStartTlsGoesPlainWhenNotOffered() throws Exception {
        try (SmtpConnection connection = open(TlsMode.MAY, trusting)) {
            assertThat(connection.isTlsActive()).isFalse();
            send(connection, "x@dest.test");
        }
        assertThat(server.received()).hasSize(1);
    }

    @Test
    void requiredStartTlsNotOfferedSendsNothing() {
        assertThatThrownBy(() -> open(TlsMode.VERIFY, trusting))
            .isInstanceOfSatisfying(SmtpFailure.class, failure -> {
                assertThat(failure.kind()).isEqualTo(SmtpFailure.Kind.TLS);
                assertThat(failure.isPermanent()).isFalse();
                assertThat(failure.getMessage()).contains("offered no STARTTLS");
            });
        assertThat(server.commands()).noneMatch(command -> command.startsWith("MAIL"));
    }

    @Test
    void anUntrustedCertificateIsRefused() throws Exception {
        server.offerStartTls(tls.serverContext());
        SmtpClientSettings jvmDefaults = SmtpClientSettings.defaults("client.test");

        assertThatThrownBy(() -> open(TlsMode.VERIFY, jvmDefaults))
            .isInstanceOfSatisfying(SmtpFailure.class, failure -> assertThat(failure.kind()).isEqualTo(SmtpFailure.Kind.TLS));
        assertThat(server.commands()).noneMatch(command -> command.startsWith("MAIL"));
    }

    @Test
    void theCertificateMustNameTheHost() throws Exception {
        server.offerStartTls(tls.serverContext());

        assertThatThrownBy(() -> SmtpConnection.open(new InetSocketAddress("127.0.0.1", server.port()), "other.test",
            TlsMode.VERIFY, trusting))
            .isInstanceOfSatisfying(SmtpFailure.class, failure -> assertThat(failure.kind()).isEqualTo(SmtpFailure.Kind.TLS));
    }

    @Test
    void speaksImplicitTls() throws Exception {
        server.implicitTls(tls.serverContext());
        try (SmtpConnection connection = open(TlsMode.IMPLICIT, trusting)) {
            assertThat(connection.isTlsActive()).isTrue();
            send(connection, "x@dest.test");
        }
        assertThat(server.received().get(0).tls()).isTrue();
    }

    @Test
    void authenticatesWithPlainOrLoginOverVerifiedTls() throws Exception {
        server.requireAuth("relay", "s3cret").offerStartTls(tls.serverContext());
        try (SmtpConnection connection = open(TlsMode.MAY, trusting)) {
            connection.authenticate(new RelayAuth("relay", "s3cret"), TlsMode.MAY);
            send(connection, "x@dest.test");
        }
        server.authMechanisms("LOGIN");
        try (SmtpConnection connection = open(TlsMode.VERIFY, trusting)) {
            connection.authenticate(new RelayAuth("relay", "s3cret"), TlsMode.VERIFY);
            send(connection, "y@dest.test");
        }
        assertThat(server.received()).extracting(TestSmtpServer.Received::authenticatedUser).containsExactly("relay", "relay");
    }

    @Test
    void aWrongPasswordIsATemporaryAuthFailureAndIsNeverShown() throws Exception {
        server.requireAuth("relay", "s3cret").offerStartTls(tls.serverContext());
        try (SmtpConnection connection = open(TlsMode.MAY, trusting)) {
            assertThatThrownBy(() -> connection.authenticate(new RelayAuth("relay", "wrong-password"), TlsMode.MAY))
                .isInstanceOfSatisfying(SmtpFailure.class, failure -> {
                    assertThat(failure.kind()).isEqualTo(SmtpFailure.Kind.AUTH);
                    assertThat(failure.isPermanent()).isFalse();
                    assertThat(failure.reply().orElseThrow().code()).isEqualTo(535);
                    assertThat(failure.getMessage()).doesNotContain("wrong-password");
                });
        }
    }

    @Test
    void credentialsAreNeverSentWithoutTls() throws Exception {
        server.requireAuth("relay", "s3cret");
        for (TlsMode level : List.of(TlsMode.MAY, TlsMode.NONE)) {
            try (SmtpConnection connection = open(level, trusting)) {
                assertThatThrownBy(() -> connection.authenticate(new RelayAuth("relay", "s3cret"), level))
                    .isInstanceOfSatisfying(SmtpFailure.class, failure -> {
                        assertThat(failure.kind()).isEqualTo(SmtpFailure.Kind.CREDENTIALS);
                        assertThat(failure.isPermanent()).isFalse();
                        assertThat(failure.getMessage()).contains("127.0.0.1:" + server.port())
                            .contains("credentials are only sent over TLS").doesNotContain("s3cret");
                    });
            }
        }
        assertThat(server.commands()).noneMatch(command -> command.toUpperCase().startsWith("AUTH"));
    }

    @Test
    void credentialsAreNotSentOverUnverifiedTlsUnlessTheLevelIsEncrypt() throws Exception {
        server.requireAuth("relay", "s3cret").offerStartTls(tls.serverContext());
        SmtpClientSettings jvmDefaults = SmtpClientSettings.defaults("client.test");
        try (SmtpConnection connection = open(TlsMode.MAY, jvmDefaults)) {
            assertThat(connection.isTlsActive()).isTrue();
            assertThatThrownBy(() -> connection.authenticate(new RelayAuth("relay", "s3cret"), TlsMode.MAY))
                .isInstanceOfSatisfying(SmtpFailure.class, failure -> {
                    assertThat(failure.kind()).isEqualTo(SmtpFailure.Kind.CREDENTIALS);
                    assertThat(failure.getMessage()).contains("certificate not trusted").contains("tls=encrypt");
                });
        }
        assertThat(server.commands()).noneMatch(command -> command.toUpperCase().startsWith("AUTH"));

        try (SmtpConnection connection = open(TlsMode.ENCRYPT, jvmDefaults)) {
            connection.authenticate(new RelayAuth("relay", "s3cret"), TlsMode.ENCRYPT);
            send(connection, "x@dest.test");
        }
        assertThat(server.received()).extracting(TestSmtpServer.Received::authenticatedUser).containsExactly("relay");
        assertThat(server.received().get(0).tls()).isTrue();
    }

    @Test
    void mayEncryptsWhateverTheCertificateAndSaysWhetherItVerified() throws Exception {
        server.offerStartTls(tls.serverContext());
        try (SmtpConnection connection = open(TlsMode.MAY, SmtpClientSettings.defaults("client.test"))) {
            TlsSession session = connection.tlsSession().orElseThrow();
            assertThat(session.verified()).isFalse();
            assertThat(session.describe()).matches("TLSv1\\.[23] unverified \\(certificate not trusted: .*\\)");
            send(connection, "x@dest.test");
        }
        try (SmtpConnection connection = SmtpConnection.open(new InetSocketAddress("127.0.0.1", server.port()), "other.test",
            TlsMode.MAY, trusting)) {
            assertThat(connection.tlsSession().orElseThrow().describe()).contains("unverified (certificate names localhost")
                .contains("not other.test");
            send(connection, "y@dest.test");
        }
        try (SmtpConnection connection = open(TlsMode.MAY, trusting)) {
            assertThat(connection.tlsSession().orElseThrow().describe()).isEqualTo("TLSv1.3 verified");
        }
        assertThat(server.received()).hasSize(2).allMatch(TestSmtpServer.Received::tls);
    }

    @Test
    void encryptNeedsTlsButNotATrustedCertificate() throws Exception {
        assertThatThrownBy(() -> open(TlsMode.ENCRYPT, trusting))
            .isInstanceOfSatisfying(SmtpFailure.class, failure -> assertThat(failure.kind()).isEqualTo(SmtpFailure.Kind.TLS));
        server.offerStartTls(tls.serverContext());
        try (SmtpConnection connection = open(TlsMode.ENCRYPT, SmtpClientSettings.defaults("client.test"))) {
            assertThat(connection.tlsSession().orElseThrow().verified()).isFalse();
            send(connection, "x@dest.test");
        }
        assertThat(server.received()).hasSize(1);
    }

    @Test
    void secureChecksTheListedNamesOrTheNextHopDomain() throws Exception {
        TestTls named = TestTls.create(java.nio.file.Files.createDirectories(directory.resolve("named")), "mx1.dest.test");
        server.offerStartTls(named.serverContext());
        SmtpClientSettings trustingNamed = trusting.withTrust(named.trustManager());
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.port());
        TlsMode listed = TlsMode.SECURE.withMatch("mx1.dest.test");
        try (SmtpConnection connection = SmtpConnection.open(address, "127.0.0.1", listed, listed.certificateNames("127.0.0.1",
            java.util.Optional.empty()), trustingNamed)) {
            assertThat(connection.tlsSession().orElseThrow().verified()).isTrue();
        }
        TlsMode byDomain = TlsMode.SECURE;
        try (SmtpConnection connection = SmtpConnection.open(address, "127.0.0.1", byDomain, byDomain.certificateNames("127.0.0.1",
            java.util.Optional.of("dest.test")), trustingNamed)) {
            assertThat(connection.tlsSession().orElseThrow().verified()).isTrue();
        }
        assertThatThrownBy(() -> SmtpConnection.open(address, "127.0.0.1", byDomain,
            byDomain.certificateNames("127.0.0.1", java.util.Optional.of("other.test")), trustingNamed))
            .isInstanceOfSatisfying(SmtpFailure.class, failure -> assertThat(failure.getMessage())
                .contains("not other.test or .other.test"));
        assertThat(server.commands()).noneMatch(command -> command.startsWith("MAIL"));
    }

    @Test
    void greetingsTellPermanentFromTemporary() {
        server.reply(Stage.CONNECT, "554 5.7.1 go away");
        assertThatThrownBy(() -> open(TlsMode.NONE, trusting))
            .isInstanceOfSatisfying(SmtpFailure.class, failure -> assertThat(failure.isPermanent()).isTrue());
        server.reply(Stage.CONNECT, "421 4.3.2 busy");
        assertThatThrownBy(() -> open(TlsMode.NONE, trusting))
            .isInstanceOfSatisfying(SmtpFailure.class, failure -> assertThat(failure.isPermanent()).isFalse());
    }

    @Test
    void aDroppedConnectionIsAConnectionFailure() throws Exception {
        server.drop(Stage.DATA_END);
        try (SmtpConnection connection = open(TlsMode.NONE, trusting)) {
            assertThatThrownBy(() -> send(connection, "x@dest.test"))
                .isInstanceOfSatisfying(SmtpFailure.class, failure -> assertThat(failure.kind()).isEqualTo(SmtpFailure.Kind.CONNECTION));
        }
        assertThat(server.received()).isEmpty();
    }

    @Test
    void aStalledServerTimesOut() {
        server.stall(3000);
        SmtpClientSettings impatient = trusting.withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofSeconds(2));

        assertThatThrownBy(() -> open(TlsMode.NONE, impatient))
            .isInstanceOfSatisfying(SmtpFailure.class, failure -> assertThat(failure.kind()).isEqualTo(SmtpFailure.Kind.CONNECTION));
    }

    @Test
    void aServerThatSendsAByteNowAndThenIsCutOffAtTheReplyDeadline() {
        server.drip(200);
        SmtpClientSettings impatient = trusting.withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(1000), Duration.ofSeconds(2));

        assertThatThrownBy(() -> open(TlsMode.NONE, impatient))
            .isInstanceOfSatisfying(SmtpFailure.class, failure -> {
                assertThat(failure.kind()).isEqualTo(SmtpFailure.Kind.CONNECTION);
                assertThat(failure.getMessage()).contains("did not finish its reply within 1000 ms");
            });
    }

    @Test
    void nobodyListeningIsAConnectionFailure() throws Exception {
        // a port bound but not listening, held for the whole test: connecting is refused, and no
        // other socket can take the port meanwhile (once, a port just closed by the test server
        // still answered and the client waited for a greeting)
        try (java.net.Socket bound = boundNotListening()) {
            int port = bound.getLocalPort();

            assertThatThrownBy(() -> SmtpConnection.open(new InetSocketAddress("127.0.0.1", port), "127.0.0.1", TlsMode.NONE, trusting))
                .isInstanceOfSatisfying(SmtpFailure.class, failure -> {
                    assertThat(failure.kind()).isEqualTo(SmtpFailure.Kind.CONNECTION);
                    assertThat(failure.isPermanent()).isFalse();
                });
        }
    }

    /**
     * A socket bound to a free port and not listening. A port TestPorts found free may still have
     * connections in TIME_WAIT from an earlier test (its check binds with SO_REUSEADDR): then the
     * next one.
     */
    private static java.net.Socket boundNotListening() throws java.io.IOException {
        for (int attempt = 0; ; attempt++) {
            java.net.Socket socket = new java.net.Socket();
            try {
                socket.bind(new InetSocketAddress("127.0.0.1", org.jamesrouting.testing.TestPorts.free()));
                return socket;
            } catch (java.net.BindException e) {
                socket.close();
                if (attempt == 20) {
                    throw e;
                }
            }
        }
    }
}
