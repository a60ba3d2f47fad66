package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.jamesrouting.testing.TestSmtpServer;
import org.jamesrouting.testing.TestSmtpServer.Stage;
import org.jamesrouting.testing.TestTls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outbound delivery through a real James to real SMTP peers on 127.0.0.1: a smart host that
 * wants STARTTLS (verified against our truststore) and AUTH, a plain backup, a routed host.
 */
class SmartHostDeliveryIT {
    @TempDir
    static Path directory;
    static TestTls tls;
    static TestTls otherTls;
    static InProcessJames james;
    static int primaryPort;
    static int backupPort;
    static int routedPort;
    static int deadPort;

    TestSmtpServer primary;
    TestSmtpServer backup;
    TestSmtpServer routed;

    @BeforeAll
    static void start() throws Exception {
        tls = TestTls.create(Path.of(directory.toString()));
        Path other = java.nio.file.Files.createDirectories(directory.resolve("other"));
        otherTls = TestTls.create(other);
        primaryPort = JamesHome.freePort();
        backupPort = JamesHome.freePort();
        routedPort = JamesHome.freePort();
        deadPort = JamesHome.freePort();
        JamesHome home = JamesHome.fromProjectConf(directory.resolve("james"))
            .outboundRouter("""
                <smarthost>127.0.0.1:%d tls=starttls-required auth=relay password=s3cret</smarthost>
                <backup>127.0.0.1:%d tls=none</backup>
                <routes>file://conf/routes.conf</routes>
                <truststore>%s</truststore>
                <truststorePassword>%s</truststorePassword>
                <retrySchedule>1s</retrySchedule>
                <maxAge>1h</maxAge>
                <connectTimeout>2s</connectTimeout>
                <commandTimeout>5s</commandTimeout>
                """.formatted(primaryPort, backupPort, tls.keystore(), TestTls.PASSWORD))
            .routes("""
                routed.test   127.0.0.1:%d   tls=none
                down.test     127.0.0.1:%d   tls=none   comment="nobody listens there"
                authtest.test 127.0.0.1:%d   auth=relay password=routed-secret   id=authtest
                """.formatted(routedPort, deadPort, routedPort));
        james = InProcessJames.start(home);
        james.webAdmin().addDomain("example.com");
        james.webAdmin().addUser("alice@example.com", "alicepass");
    }

    @AfterAll
    static void stop() {
        if (james != null) {
            james.close();
        }
    }

    @BeforeEach
    void peers() throws Exception {
        primary = TestSmtpServer.start("127.0.0.1", primaryPort).offerStartTls(tls.serverContext()).requireAuth("relay", "s3cret");
        backup = TestSmtpServer.start("127.0.0.1", backupPort);
        routed = TestSmtpServer.start("127.0.0.1", routedPort);
    }

    @AfterEach
    void closePeers() throws Exception {
        primary.close();
        backup.close();
        routed.close();
    }

    private static String send(List<String> recipients, String subject) throws Exception {
        String message = SmtpTestClient.message("alice@example.com", recipients.get(0), subject);
        try (SmtpTestClient smtp = james.smtp()) {
            SmtpTestClient.Transaction transaction = smtp.send("alice@example.com", recipients, message);
            assertThat(transaction.dataReply().code()).isEqualTo(250);
        }
        return SmtpTestClient.messageId(message);
    }

    private static List<TestSmtpServer.Received> awaitReceived(TestSmtpServer server, String messageId, int count) throws Exception {
        return ItSupport.await(count + " message(s) " + messageId + " at port " + server.port(), () -> {
            List<TestSmtpServer.Received> got = server.received().stream()
                .filter(received -> received.header("Message-ID").orElse("").equals(messageId)).toList();
            return got.size() >= count ? got : null;
        });
    }

    private static long count(TestSmtpServer server, String messageId) {
        return server.received().stream().filter(received -> received.header("Message-ID").orElse("").equals(messageId)).count();
    }

    @Test
    void theSmartHostGetsTheMailOverVerifiedTlsWithAuth() throws Exception {
        String id = send(List.of("bob@remote.test"), "via smart host");

        TestSmtpServer.Received received = awaitReceived(primary, id, 1).get(0);
        assertThat(received.recipients()).containsExactly("bob@remote.test");
        assertThat(received.sender()).isEqualTo("alice@example.com");
        assertThat(received.tls()).isTrue();
        assertThat(received.authenticatedUser()).isEqualTo("relay");
        assertThat(primary.commands()).as("a fully qualified EHLO name, never localhost").contains("EHLO james-routing.localhost");
        assertThat(received.header("Subject")).contains("via smart host");
        ItSupport.awaitSettled(james.webAdmin());
        assertThat(count(primary, id)).isEqualTo(1);
        assertThat(backup.received()).isEmpty();
    }

    @Test
    void theBackupTakesTheMailWhenThePrimaryCannotNow() throws Exception {
        primary.reply(Stage.CONNECT, "421 4.3.2 shutting down");

        String id = send(List.of("bob@remote.test"), "primary busy");

        assertThat(awaitReceived(backup, id, 1).get(0).recipients()).containsExactly("bob@remote.test");
        assertThat(primary.received()).isEmpty();
    }

    @Test
    void bothDownTheMailWaitsThenGoesOutExactlyOnceWhenThePrimaryReturns() throws Exception {
        primary.close();
        backup.close();

        long before = ItSupport.deferrals(james.webAdmin());
        String id = send(List.of("bob@remote.test"), "deferred");
        ItSupport.awaitDeferralsAbove(james.webAdmin(), before);
        primary = TestSmtpServer.start("127.0.0.1", primaryPort).offerStartTls(tls.serverContext()).requireAuth("relay", "s3cret");

        awaitReceived(primary, id, 1);
        ItSupport.awaitSettled(james.webAdmin());
        assertThat(count(primary, id)).isEqualTo(1);
    }

    @Test
    void a5xxFailsTheRecipientWithADsnCarryingTheRemoteReplyAndTheBackupIsNotTried() throws Exception {
        primary.replyTo("nobody@remote.test", "550 5.1.1 <nobody@remote.test>: Recipient address rejected");

        send(List.of("nobody@remote.test"), "will bounce");

        String status = ItSupport.awaitDsnFor(james.mailboxes(), "alice@example.com", "alicepass", "nobody@remote.test");
        assertThat(status).contains("Action: failed").contains("Status: 5.1.1")
            .contains("Remote-MTA: dns; 127.0.0.1")
            .contains("Reporting-MTA: dns; james-routing.localhost")
            .contains("Diagnostic-Code: smtp; 550 5.1.1 <nobody@remote.test>: Recipient address rejected");
        assertThat(backup.received()).isEmpty();
    }

    @Test
    void eachRecipientOfAMessageGetsItsOwnFateAndDeliveredOnesAreNeverSentAgain() throws Exception {
        primary.replyTo("gone@remote.test", "550 5.1.1 no such user").replyTo("busy@remote.test", "450 4.2.1 mailbox busy");
        backup.replyTo("busy@remote.test", "450 4.2.1 mailbox busy");

        String id = send(List.of("ok@remote.test", "gone@remote.test", "busy@remote.test"), "mixed");

        assertThat(awaitReceived(primary, id, 1).get(0).recipients()).containsExactly("ok@remote.test");
        String status = ItSupport.awaitDsnFor(james.mailboxes(), "alice@example.com", "alicepass", "gone@remote.test");
        assertThat(status).doesNotContain("ok@remote.test").doesNotContain("busy@remote.test");
        primary.reset();
        List<TestSmtpServer.Received> both = awaitReceived(primary, id, 2);
        assertThat(both.get(1).recipients()).containsExactly("busy@remote.test");
        ItSupport.awaitSettled(james.webAdmin());
        assertThat(primary.received().stream().filter(received -> received.recipients().contains("ok@remote.test")).count()).isEqualTo(1);
    }

    @Test
    void aRefusedPasswordDefersRatherThanBounces() throws Exception {
        primary.requireAuth("relay", "another-password");
        backup.reply(Stage.CONNECT, "421 4.3.2 not now");

        long before = ItSupport.deferrals(james.webAdmin());
        String id = send(List.of("bob@remote.test"), "auth trouble");
        ItSupport.awaitDeferralsAbove(james.webAdmin(), before);
        assertThat(primary.received()).isEmpty();
        assertThat(primary.commands()).anyMatch(command -> command.startsWith("AUTH")).noneMatch(command -> command.startsWith("MAIL"));
        primary.requireAuth("relay", "s3cret");

        awaitReceived(primary, id, 1);
        assertThat(james.mailboxes().inbox("alice@example.com", "alicepass")).noneMatch(message -> {
            try {
                return ItSupport.deliveryStatus(message).orElse("").contains("bob@remote.test");
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void requiredStartTlsNotOfferedMeansNothingSentInClearToThatHost() throws Exception {
        primary.offerStartTls(null);

        String id = send(List.of("bob@remote.test"), "tls or nothing");

        awaitReceived(backup, id, 1);
        assertThat(primary.commands()).noneMatch(command -> command.startsWith("MAIL") || command.startsWith("AUTH"));
    }

    @Test
    void credentialsNeverGoOutWithoutVerifiedTlsAtTheDefaultLevel() throws Exception {
        routed.requireAuth("relay", "routed-secret");

        String plain = send(List.of("erin@authtest.test"), "no STARTTLS offered");
        assertThat(awaitReceived(primary, plain, 1).get(0).recipients()).as("the next hop, the smart host, takes it")
            .containsExactly("erin@authtest.test");

        routed.offerStartTls(otherTls.serverContext());
        String untrusted = send(List.of("erin@authtest.test"), "untrusted certificate");
        awaitReceived(primary, untrusted, 1);

        assertThat(routed.commands()).as("no AUTH, no MAIL, on the wire or inside unverified TLS")
            .noneMatch(command -> command.toUpperCase().startsWith("AUTH") || command.startsWith("MAIL"));
        assertThat(routed.commands()).contains("STARTTLS");
        String status = james.webAdmin().get("/routing/status").body();
        assertThat(status).contains("credentials are only sent over verified TLS").doesNotContain("routed-secret");
        assertThat(status).contains("TLSv1.3 verified");
    }

    @Test
    void anUntrustedCertificateIsRefused() throws Exception {
        primary.offerStartTls(otherTls.serverContext());

        String id = send(List.of("bob@remote.test"), "untrusted");

        awaitReceived(backup, id, 1);
        assertThat(primary.received()).isEmpty();
        assertThat(primary.commands()).noneMatch(command -> command.startsWith("MAIL"));
    }

    @Test
    void anEightBitMessageIsConvertedForAPeerWithout8BitMime() throws Exception {
        primary.without8BitMime();
        String message = "From: <alice@example.com>\nTo: <bob@remote.test>\nSubject: umlauts\nMessage-ID: <8bit-" + System.nanoTime()
            + "@client.test>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\nGrüße aus Köln\n";
        try (SmtpTestClient smtp = james.smtp()) {
            assertThat(smtp.send("alice@example.com", List.of("bob@remote.test"), message).dataReply().code()).isEqualTo(250);
        }

        TestSmtpServer.Received received = awaitReceived(primary, SmtpTestClient.messageId(message), 1).get(0);
        assertThat(received.content().chars()).allMatch(c -> c < 0x80);
        assertThat(received.header("Content-Transfer-Encoding")).contains("quoted-printable");
        assertThat(received.content()).contains("Gr=C3=BC=C3=9Fe aus K=C3=B6ln");
    }

    @Test
    void aMessageOverThePeersSizeLimitBouncesWithoutBeingSent() throws Exception {
        primary.sizeLimit(50);

        send(List.of("big@remote.test"), "too big for the relay");

        String status = ItSupport.awaitDsnFor(james.mailboxes(), "alice@example.com", "alicepass", "big@remote.test");
        assertThat(status).contains("Status: 5.3.4").contains("exceeds the limit of 50");
        assertThat(primary.commands()).noneMatch(command -> command.startsWith("MAIL"));
    }

    @Test
    void aRouteSendsItsAddressesToItsOwnHost() throws Exception {
        String id = send(List.of("carol@routed.test"), "routed");

        assertThat(awaitReceived(routed, id, 1).get(0).recipients()).containsExactly("carol@routed.test");
        assertThat(primary.received()).isEmpty();
    }

    @Test
    void aRouteWhoseHostsAreDownFallsBackToTheSmartHost() throws Exception {
        String id = send(List.of("dave@down.test"), "route down");

        assertThat(awaitReceived(primary, id, 1).get(0).recipients()).containsExactly("dave@down.test");
    }

    @Test
    void localRecipientsNeverLeave() throws Exception {
        james.webAdmin().addUser("erin@example.com", "erinpass");
        String id = send(List.of("erin@example.com", "frank@remote.test"), "one local one remote");

        assertThat(awaitReceived(primary, id, 1).get(0).recipients()).containsExactly("frank@remote.test");
        james.mailboxes().awaitInbox("erin@example.com", "erinpass", 1);
    }
}
