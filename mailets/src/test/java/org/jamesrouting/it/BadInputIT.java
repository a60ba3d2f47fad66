package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import org.jamesrouting.testing.TestSmtpServer;
import org.jamesrouting.testing.TestSmtpServer.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input never crashes the server or loses mail: big and odd messages through a real James
 * (the server bin/james-routing runs, conf/ as shipped: 64 MB message limit) to real SMTP peers,
 * and peers that answer garbage or stall.
 */
class BadInputIT {
    private static final int MEGABYTE = 1024 * 1024;

    @TempDir
    static Path directory;
    static InProcessJames james;
    static int primaryPort;
    static int backupPort;

    TestSmtpServer primary;
    TestSmtpServer backup;

    @BeforeAll
    static void start() throws Exception {
        primaryPort = JamesHome.freePort();
        backupPort = JamesHome.freePort();
        JamesHome home = JamesHome.fromProjectConf(directory.resolve("james")).outboundRouter("""
            <smarthost>127.0.0.1:%d tls=none</smarthost>
            <backup>127.0.0.1:%d tls=none</backup>
            <retrySchedule>1s</retrySchedule>
            <connectTimeout>2s</connectTimeout>
            <commandTimeout>3s</commandTimeout>
            """.formatted(primaryPort, backupPort));
        james = InProcessJames.start(home);
    }

    @AfterAll
    static void stop() {
        if (james != null) {
            james.close();
        }
    }

    @BeforeEach
    void peers() throws Exception {
        primary = TestSmtpServer.start("127.0.0.1", primaryPort);
        backup = TestSmtpServer.start("127.0.0.1", backupPort);
    }

    @AfterEach
    void closePeers() throws Exception {
        primary.close();
        backup.close();
    }

    private static String withBody(String headers, String body) {
        return headers + "Message-ID: <" + java.util.UUID.randomUUID() + "@client.test>\n"
            + "Date: Wed, 25 Nov 2026 10:00:00 +0000\n\n" + body;
    }

    /** Lines of 76 characters, like base64, {@code megabytes} MB in all, ending with a marker line. */
    private static String body(int megabytes) {
        StringBuilder body = new StringBuilder(megabytes * MEGABYTE + 100);
        String line = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/ABCDEFGHIJKL\n";
        for (int index = 0; body.length() < (long) megabytes * MEGABYTE; index++) {
            body.append(index).append(' ').append(line);
        }
        return body.append("--the end--\n").toString();
    }

    private static TestSmtpServer.Received awaitAt(TestSmtpServer server, String messageId) throws Exception {
        return ItSupport.await(messageId + " at port " + server.port(), java.time.Duration.ofSeconds(60), () -> server.received().stream()
            .filter(received -> received.header("Message-ID").orElse("").equals(messageId)).findFirst().orElse(null));
    }

    private static String bodyOf(String content) {
        String normalized = content.replace("\r\n", "\n");
        return normalized.substring(normalized.indexOf("\n\n") + 2);
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aFiftyMegabyteMessageIsRelayedByteForByte() throws Exception {
        String body = body(50);
        String message = withBody("From: <alice@example.com>\nTo: <big@remote.test>\nSubject: fifty megabytes\n", body);

        SmtpTestClient.Transaction transaction = james.send("alice@example.com", List.of("big@remote.test"), message);

        assertThat(transaction.dataReply().toString()).startsWith("250");
        TestSmtpServer.Received received = awaitAt(primary, SmtpTestClient.messageId(message));
        String relayed = bodyOf(received.content());
        assertThat(relayed.length()).isEqualTo(body.length());
        assertThat(sha256(relayed)).isEqualTo(sha256(body));
    }

    @Test
    void aMessageOverTheSizeLimitIsRefusedWith552AndTheSessionGoesOn() throws Exception {
        String big = withBody("From: <alice@example.com>\nTo: <huge@remote.test>\nSubject: too big\n", body(65));
        String small = SmtpTestClient.message("alice@example.com", "after@remote.test", "after the big one");

        try (SmtpTestClient smtp = james.smtp()) {
            SmtpTestClient.Transaction refused = smtp.send("alice@example.com", List.of("huge@remote.test"), big);
            assertThat(refused.dataReply().toString()).startsWith("552");
            SmtpTestClient.Transaction accepted = smtp.send("alice@example.com", List.of("after@remote.test"), small);
            assertThat(accepted.dataReply().code()).isEqualTo(250);
        }

        awaitAt(primary, SmtpTestClient.messageId(small));
        assertThat(primary.received()).noneMatch(received -> received.recipients().contains("huge@remote.test"));
    }

    @Test
    void aSizeAnnouncedOverTheLimitIsRefusedAtMailFrom() throws Exception {
        try (SmtpTestClient smtp = james.smtp()) {
            smtp.command("EHLO client.test");
            assertThat(smtp.command("MAIL FROM:<alice@example.com> SIZE=" + 70L * MEGABYTE).code()).isEqualTo(552);
            assertThat(smtp.command("MAIL FROM:<alice@example.com> SIZE=1000").code()).isEqualTo(250);
        }
    }

    @Test
    void hugeHeadersAreRelayedIntact() throws Exception {
        StringBuilder headers = new StringBuilder("From: <alice@example.com>\nTo: <headers@remote.test>\n");
        for (int i = 0; i < 5000; i++) {
            headers.append("X-Trace-").append(i).append(": hop ").append(i).append('\n');
        }
        headers.append("X-Long: start");
        for (int i = 0; i < 20_000; i++) {
            headers.append("\n word").append(i);
        }
        headers.append('\n');
        String message = withBody(headers.toString(), "small body\n");

        SmtpTestClient.Transaction transaction = james.send("alice@example.com", List.of("headers@remote.test"), message);

        assertThat(transaction.dataReply().toString()).startsWith("250");
        TestSmtpServer.Received received = awaitAt(primary, SmtpTestClient.messageId(message));
        assertThat(received.header("X-Trace-4999")).contains("hop 4999");
        assertThat(received.content()).contains(" word19999").contains("small body");
    }

    /** Raw UTF-8 header text (no SMTPUTF8) arrives RFC 2047-encoded: the same text, in 7-bit headers; the 8-bit body untouched. */
    @Test
    void eightBitHeadersReachTheRelayAsTheSameTextEncoded() throws Exception {
        String subject = "Grüße aus Köln — 日本語の件名";
        String message = withBody("From: Jürgen <alice@example.com>\nTo: <utf8@remote.test>\nSubject: " + subject + "\n", "Bonjour, ça va ?\n");

        SmtpTestClient.Transaction transaction = james.send("alice@example.com", List.of("utf8@remote.test"), message);

        assertThat(transaction.dataReply().toString()).startsWith("250");
        TestSmtpServer.Received received = awaitAt(primary, SmtpTestClient.messageId(message));
        String headers = received.content().replace("\r\n", "\n").split("\n\n", 2)[0];
        assertThat(headers.chars()).allMatch(c -> c < 0x80);
        assertThat(javax.mail.internet.MimeUtility.decodeText(javax.mail.internet.MimeUtility.unfold(received.header("Subject").orElseThrow())))
            .isEqualTo(subject);
        assertThat(javax.mail.internet.MimeUtility.decodeText(received.header("From").orElseThrow())).contains("Jürgen").contains("<alice@example.com>");
        assertThat(bodyOf(received.content())).isEqualTo("Bonjour, ça va ?\n");
    }

    @Test
    void aBccHeaderIsRemovedAndTheOtherHeadersKept() throws Exception {
        String message = withBody("From: <alice@example.com>\nTo: <to@remote.test>\nBcc: <hidden@remote.test>\nSubject: with bcc\n", "hi\n");

        james.send("alice@example.com", List.of("to@remote.test", "hidden@remote.test"), message);

        TestSmtpServer.Received received = awaitAt(primary, SmtpTestClient.messageId(message));
        assertThat(received.recipients()).containsExactlyInAnyOrder("to@remote.test", "hidden@remote.test");
        assertThat(received.header("Bcc")).isEmpty();
        assertThat(received.header("Subject")).contains("with bcc");
    }

    @Test
    void malformedAddressesAreRefusedAndTheSessionGoesOn() throws Exception {
        try (SmtpTestClient smtp = james.smtp()) {
            smtp.command("EHLO client.test");
            assertThat(smtp.command("MAIL FROM:<alice@@example.com>").code()).isBetween(500, 559);
            assertThat(smtp.command("MAIL FROM:<alice@example.com>").code()).isEqualTo(250);
            assertThat(smtp.command("RCPT TO:<no-at-sign>").code()).isBetween(500, 559);
            assertThat(smtp.command("RCPT TO:<a b@remote.test>").code()).isBetween(500, 559);
            assertThat(smtp.command("RCPT TO:<fine@remote.test>").code()).isEqualTo(250);
        }
    }

    @Test
    void aRelayThatAnswersGarbageIsSkippedForTheBackup() throws Exception {
        primary.reply(Stage.CONNECT, "HTTP/1.1 400 Bad Request");

        String message = SmtpTestClient.message("alice@example.com", "bob@remote.test", "garbage primary");
        assertThat(james.send("alice@example.com", List.of("bob@remote.test"), message).dataReply().code()).isEqualTo(250);

        awaitAt(backup, SmtpTestClient.messageId(message));
        assertThat(primary.received()).isEmpty();
    }

    @Test
    void aRelayThatStallsTimesOutAndTheBackupTakesTheMail() throws Exception {
        primary.stall(20_000);

        String message = SmtpTestClient.message("alice@example.com", "bob@remote.test", "stalling primary");
        long start = System.currentTimeMillis();
        assertThat(james.send("alice@example.com", List.of("bob@remote.test"), message).dataReply().code()).isEqualTo(250);

        awaitAt(backup, SmtpTestClient.messageId(message));
        assertThat(System.currentTimeMillis() - start).as("command timeout 3 s, not the 20 s stall").isLessThan(15_000);
        assertThat(primary.received()).isEmpty();
    }

    @Test
    void bothRelaysSpeakingGarbageTheMailWaitsAndGoesOutOnceThePrimaryIsSane() throws Exception {
        primary.reply(Stage.CONNECT, "\u0000\u0001garbage");
        backup.reply(Stage.EHLO, "what?");
        backup.reply(Stage.MAIL, "what?");

        String message = SmtpTestClient.message("alice@example.com", "carol@remote.test", "garbage both");
        long before = ItSupport.deferrals(james.webAdmin());
        assertThat(james.send("alice@example.com", List.of("carol@remote.test"), message).dataReply().code()).isEqualTo(250);
        ItSupport.awaitDeferralsAbove(james.webAdmin(), before);
        assertThat(primary.received()).isEmpty();
        assertThat(backup.received()).isEmpty();
        primary.reset();

        awaitAt(primary, SmtpTestClient.messageId(message));
        ItSupport.awaitSettled(james.webAdmin());
        assertThat(primary.received().stream().filter(received -> received.recipients().contains("carol@remote.test"))).hasSize(1);
    }
}
