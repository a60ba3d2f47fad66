package org.jamesrouting.bounce;

import org.jamesrouting.delivery.RecipientOutcome;
import org.jamesrouting.smtpclient.DsnRequest;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import javax.mail.Session;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

import org.junit.jupiter.api.Test;

class DsnComposerTest {
    @Test
    void buildsAnRfc3464ReportWithEachRecipientsStatusAndTheRemoteReply() throws Exception {
        MimeMessage original = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(
            "From: a@src.test\r\nSubject: Quarterly figures\r\nMessage-ID: <m1@src.test>\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII)));
        List<RecipientOutcome> failed = List.of(
            new RecipientOutcome("gone@dest.test", RecipientOutcome.Kind.PERMANENT, "5.1.1", "550 5.1.1 no such user",
                Optional.of("mx1.dest.test"), true),
            new RecipientOutcome("slow@dest.test", RecipientOutcome.Kind.TEMPORARY, "4.4.1", "no mail host could be reached",
                Optional.empty(), false));
        ZonedDateTime now = ZonedDateTime.parse("2026-11-25T10:00:00Z");

        MimeMessage dsn = DsnComposer.compose(original, "a@src.test", failed, "mail.example.com", "postmaster@example.com", now, now);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        dsn.writeTo(bytes);
        MimeMessage parsed = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes.toByteArray()));

        assertThat(parsed.getContentType()).contains("multipart/report").contains("report-type=delivery-status");
        assertThat(parsed.getSubject()).isEqualTo("Undelivered Mail Returned to Sender: Quarterly figures");
        assertThat(parsed.getHeader("In-Reply-To", null)).isEqualTo("<m1@src.test>");
        MimeMultipart parts = (MimeMultipart) parsed.getContent();
        assertThat(parts.getCount()).isEqualTo(3);
        assertThat(parts.getBodyPart(0).getContent().toString()).contains("<gone@dest.test>: host mx1.dest.test said: 550 5.1.1 no such user");
        assertThat(parts.getBodyPart(1).isMimeType("message/delivery-status")).isTrue();
        String status = new String(parts.getBodyPart(1).getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(status).contains("Reporting-MTA: dns; mail.example.com")
            .contains("Final-Recipient: rfc822; gone@dest.test\r\nAction: failed\r\nStatus: 5.1.1\r\nRemote-MTA: dns; mx1.dest.test\r\n"
                + "Diagnostic-Code: smtp; 550 5.1.1 no such user")
            .contains("Final-Recipient: rfc822; slow@dest.test\r\nAction: failed\r\nStatus: 5.4.1\r\n"
                + "Diagnostic-Code: X-james-routing; no mail host could be reached");
        assertThat(parts.getBodyPart(2).isMimeType("text/rfc822-headers")).isTrue();
        assertThat(new String(parts.getBodyPart(2).getInputStream().readAllBytes(), StandardCharsets.UTF_8)).contains("Subject: Quarterly figures");
    }

    @Test
    void theOriginalHeadersAreCapped() throws Exception {
        StringBuilder headers = new StringBuilder("From: a@src.test\r\nSubject: big\r\n");
        for (int i = 0; i < 2000; i++) {
            headers.append("X-Filler-").append(i).append(": ").append("x".repeat(100)).append("\r\n");
        }
        MimeMessage original = new MimeMessage(Session.getInstance(new Properties()),
            new ByteArrayInputStream((headers + "\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII)));
        List<RecipientOutcome> failed = List.of(new RecipientOutcome("gone@dest.test", RecipientOutcome.Kind.PERMANENT, "5.1.1",
            "550 no", Optional.empty(), true));
        ZonedDateTime now = ZonedDateTime.parse("2026-11-25T10:00:00Z");

        MimeMessage dsn = DsnComposer.compose(original, "a@src.test", failed, "mail.example.com", "postmaster@example.com", now, now);
        dsn.saveChanges();
        MimeMultipart parts = (MimeMultipart) dsn.getContent();
        String kept = new String(parts.getBodyPart(2).getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kept.length()).isLessThanOrEqualTo(DsnComposer.HEADERS_LIMIT + 100);
        assertThat(kept).startsWith("From: a@src.test").contains("X-Filler-1: ").doesNotContain("X-Filler-1999")
            .endsWith("X-Headers-Truncated: the original headers are longer than 50000 bytes\r\n");
    }

    @Test
    void aRefusedLoginShowsTheSenderNeitherTheRelayNorTheUser() throws Exception {
        MimeMessage original = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(
            "From: a@src.test\r\nSubject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII)));
        List<RecipientOutcome> failed = List.of(new RecipientOutcome("b@dest.test", RecipientOutcome.Kind.TEMPORARY, "4.7.8",
            "535 5.7.8 authentication failed for relay-user", Optional.of("relay.internal.example"), true));
        ZonedDateTime now = ZonedDateTime.parse("2026-11-25T10:00:00Z");

        MimeMessage dsn = DsnComposer.compose(original, "a@src.test", failed, "mail.example.com", "postmaster@example.com", now, now);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        dsn.writeTo(bytes);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("Status: 5.7.8", "the relay did not accept this server's login")
            .doesNotContain("relay-user").doesNotContain("relay.internal.example");
    }

    private static final ZonedDateTime NOW = ZonedDateTime.parse("2026-12-03T14:00:00Z");

    private static MimeMessage message(String text) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static MimeMessage reparsed(MimeMessage dsn) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        dsn.writeTo(bytes);
        return message(bytes.toString(StandardCharsets.UTF_8));
    }

    private static String part(MimeMessage dsn, int index) throws Exception {
        return new String(((MimeMultipart) dsn.getContent()).getBodyPart(index).getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static DsnRequest ret(String ret) {
        return new DsnRequest(Optional.of(ret), Optional.empty(), java.util.Map.of());
    }

    @Test
    void aDelayNoticeSaysDelayedWithTheTemporaryStatusAndUntilWhenItIsTried() throws Exception {
        MimeMessage original = message("From: a@src.test\r\nSubject: Slow one\r\n\r\nbody\r\n");
        List<RecipientOutcome> waiting = List.of(new RecipientOutcome("b@dest.test", RecipientOutcome.Kind.TEMPORARY, "4.3.0",
            "451 4.3.0 mailbox busy", Optional.of("mx.dest.test"), true));

        MimeMessage dsn = reparsed(DsnComposer.compose(DsnComposer.Action.DELAYED, Optional.of(NOW.plusDays(5)), original, "a@src.test",
            waiting, DsnRequest.NONE, "mail.example.com", "postmaster@example.com", NOW.minusHours(4), NOW));

        assertThat(dsn.getSubject()).isEqualTo("Delayed Mail (still being retried): Slow one");
        assertThat(part(dsn, 0)).contains("has not been delivered yet", "you do not need to send it again", "gives up after Tue, 8 Dec 2026");
        assertThat(part(dsn, 1)).contains("Action: delayed\r\nStatus: 4.3.0\r\n")
            .contains("Will-Retry-Until: Tue, 8 Dec 2026 14:00:00 GMT").doesNotContain("Action: failed");
    }

    @Test
    void aRelayedNoticeSaysRelayedWithA2xxStatus() throws Exception {
        MimeMessage original = message("From: a@src.test\r\nSubject: Hello\r\n\r\nbody\r\n");
        List<RecipientOutcome> relayed = List.of(new RecipientOutcome("b@dest.test", RecipientOutcome.Kind.DELIVERED, "2.0.0",
            "250 2.0.0 Ok: queued as 4F2", Optional.of("mx.dest.test"), true));

        MimeMessage dsn = reparsed(DsnComposer.compose(DsnComposer.Action.RELAYED, Optional.empty(), original, "a@src.test", relayed,
            DsnRequest.NONE, "mail.example.com", "postmaster@example.com", NOW, NOW));

        assertThat(dsn.getSubject()).isEqualTo("Successful Mail Delivery Report: Hello");
        assertThat(part(dsn, 1)).contains("Action: relayed\r\nStatus: 2.0.0\r\nRemote-MTA: dns; mx.dest.test\r\n"
            + "Diagnostic-Code: smtp; 250 2.0.0 Ok: queued as 4F2").doesNotContain("Will-Retry-Until");
    }

    @Test
    void retFullReturnsTheWholeFailedMessageUpToTheLimitAndItsHeadersBeyond() throws Exception {
        List<RecipientOutcome> failed = List.of(new RecipientOutcome("b@dest.test", RecipientOutcome.Kind.PERMANENT, "5.1.1",
            "550 no such user", Optional.empty(), true));
        MimeMessage small = message("From: a@src.test\r\nSubject: small\r\n\r\nthe body comes back\r\n");
        MimeMessage big = message("From: a@src.test\r\nSubject: big\r\n\r\n" + "x".repeat(DsnComposer.FULL_RETURN_LIMIT) + "\r\n");

        MimeMessage whole = reparsed(DsnComposer.compose(small, "a@src.test", failed, ret("FULL"), "mail.example.com",
            "postmaster@example.com", NOW, NOW));
        MimeMessage headersOnly = reparsed(DsnComposer.compose(small, "a@src.test", failed, ret("HDRS"), "mail.example.com",
            "postmaster@example.com", NOW, NOW));
        MimeMessage tooBig = reparsed(DsnComposer.compose(big, "a@src.test", failed, ret("FULL"), "mail.example.com",
            "postmaster@example.com", NOW, NOW));

        MimeMultipart wholeParts = (MimeMultipart) whole.getContent();
        assertThat(wholeParts.getBodyPart(2).isMimeType("message/rfc822")).isTrue();
        assertThat(part(whole, 2)).contains("Subject: small", "the body comes back");
        assertThat(((MimeMultipart) headersOnly.getContent()).getBodyPart(2).isMimeType("text/rfc822-headers")).isTrue();
        assertThat(part(headersOnly, 2)).contains("Subject: small").doesNotContain("the body comes back");
        assertThat(((MimeMultipart) tooBig.getContent()).getBodyPart(2).isMimeType("text/rfc822-headers")).isTrue();
    }
}
