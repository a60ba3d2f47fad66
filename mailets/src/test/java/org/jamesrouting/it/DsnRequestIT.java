package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

import org.jamesrouting.testing.TestSmtpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 3461 through a real James: the sender's RET, ENVID, NOTIFY and ORCPT reach a next hop
 * that announces DSN (none of them one that does not), and our own DSN honours NOTIFY and
 * carries Original-Envelope-Id and Original-Recipient; RET=FULL returns the whole message;
 * NOTIFY=SUCCESS to a next hop without DSN gives a "relayed" notice; mail still queued after
 * {@code delayWarning} gives one "delayed" notice.
 */
class DsnRequestIT {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    @TempDir
    static Path directory;
    static TestSmtpServer withDsn;
    static TestSmtpServer withoutDsn;
    static TestSmtpServer refusing;
    static TestSmtpServer deferring;
    static InProcessJames james;

    @BeforeAll
    static void start() throws Exception {
        withDsn = TestSmtpServer.start().offerDsn();
        withoutDsn = TestSmtpServer.start();
        refusing = TestSmtpServer.start().offerDsn().reply(TestSmtpServer.Stage.RCPT, "550 5.1.1 no such user");
        deferring = TestSmtpServer.start().reply(TestSmtpServer.Stage.RCPT, "451 4.3.0 mailbox busy, try again");
        JamesHome home = JamesHome.fromProjectConf(directory)
            .outboundRouter("""
                <routes>file://conf/routes.conf</routes>
                <retrySchedule>1s</retrySchedule>
                <delayWarning>2s</delayWarning>
                <connectTimeout>2s</connectTimeout>
                <commandTimeout>5s</commandTimeout>
                """)
            .routes("""
                dsn.test      127.0.0.1:%d   tls=none
                plain.test    127.0.0.1:%d   tls=none
                refuse.test   127.0.0.1:%d   tls=none
                slow.test     127.0.0.1:%d   tls=none id=slow
                """.formatted(withDsn.port(), withoutDsn.port(), refusing.port(), deferring.port()));
        james = InProcessJames.start(home);
        james.webAdmin().addDomain("example.com");
        james.webAdmin().addUser("alice@example.com", "alicepass");
    }

    @AfterAll
    static void stop() throws Exception {
        if (james != null) {
            james.close();
        }
        withDsn.close();
        withoutDsn.close();
        refusing.close();
        deferring.close();
    }

    /** The DSN in alice's INBOX whose delivery status names {@code recipient}. */
    private static MimeMessage awaitNoticeFor(String recipient) throws Exception {
        return ItSupport.await("a notice for " + recipient, () -> {
            for (MimeMessage message : james.mailboxes().inboxWhileDelivering("alice@example.com", "alicepass")) {
                Optional<String> status = ItSupport.deliveryStatus(message);
                if (status.isPresent() && status.get().contains("Final-Recipient: rfc822; " + recipient)) {
                    return message;
                }
            }
            return null;
        });
    }

    private static long noticesFor(String recipient) throws Exception {
        long count = 0;
        for (MimeMessage message : james.mailboxes().inbox("alice@example.com", "alicepass")) {
            Optional<String> status = ItSupport.deliveryStatus(message);
            if (status.isPresent() && status.get().contains("Final-Recipient: rfc822; " + recipient)) {
                count++;
            }
        }
        return count;
    }

    private static String send(String mailParameters, Map<String, String> recipients, String subject) throws Exception {
        String message = SmtpTestClient.message("alice@example.com", recipients.keySet().iterator().next(), subject);
        try (SmtpTestClient smtp = james.smtp()) {
            assertThat(smtp.send("alice@example.com", mailParameters, recipients, message).dataReply().code()).isEqualTo(250);
        }
        return SmtpTestClient.messageId(message);
    }

    @Test
    void aNextHopThatAnnouncesDsnGetsTheSendersRequest() throws Exception {
        String id = send(" RET=HDRS ENVID=QQ314159", Map.of("bob@dsn.test", " NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@dsn.test"), "dsn passed on");

        ItSupport.await("the message at the DSN-capable peer", () -> ItSupport.arrivals(withDsn, id) == 1 ? true : null);
        assertThat(withDsn.commands()).anySatisfy(command -> assertThat(command)
            .startsWith("MAIL FROM:<alice@example.com>").contains(" RET=HDRS").contains(" ENVID=QQ314159"));
        assertThat(withDsn.commands()).contains("RCPT TO:<bob@dsn.test> NOTIFY=FAILURE,SUCCESS ORCPT=rfc822;bob@dsn.test");
    }

    @Test
    void aNextHopWithoutDsnGetsNoneOfIt() throws Exception {
        String id = send(" RET=FULL ENVID=PLAIN1", Map.of("carol@plain.test", " NOTIFY=FAILURE"), "no dsn there");

        ItSupport.await("the message at the plain peer", () -> ItSupport.arrivals(withoutDsn, id) == 1 ? true : null);
        assertThat(withoutDsn.commands()).contains("RCPT TO:<carol@plain.test>")
            .noneMatch(command -> command.contains("NOTIFY=") || command.contains("RET=") || command.contains("ENVID="));
    }

    @Test
    void ourDsnHonoursNotifyAndCarriesTheOriginalEnvelopeIdAndRecipient() throws Exception {
        Map<String, String> recipients = new LinkedHashMap<>();
        recipients.put("never@refuse.test", " NOTIFY=NEVER");
        recipients.put("fail@refuse.test", " NOTIFY=FAILURE ORCPT=rfc822;orig@example.com");
        send(" ENVID=ENV+2B1", recipients, "refused twice");

        String status = ItSupport.awaitDsnFor(james.mailboxes(), "alice@example.com", "alicepass", "fail@refuse.test");
        assertThat(status).contains("Original-Envelope-Id: ENV+1").contains("Original-Recipient: rfc822; orig@example.com")
            .contains("Action: failed").contains("Status: 5.1.1");
        assertThat(status).as("NOTIFY=NEVER: not reported").doesNotContain("never@refuse.test");
        assertThat(refusing.commands()).contains("RCPT TO:<never@refuse.test> NOTIFY=NEVER", 
            "RCPT TO:<fail@refuse.test> NOTIFY=FAILURE ORCPT=rfc822;orig@example.com");
    }

    @Test
    void notifySuccessGivesARelayedNoticeForANextHopWithoutDsnOnly() throws Exception {
        Map<String, String> recipients = new LinkedHashMap<>();
        recipients.put("dave@plain.test", " NOTIFY=SUCCESS");
        recipients.put("erin@dsn.test", " NOTIFY=SUCCESS");
        String id = send("", recipients, "tell me when it is through");

        String status = ItSupport.deliveryStatus(awaitNoticeFor("dave@plain.test")).orElseThrow();

        assertThat(status).contains("Action: relayed").contains("Status: 2.0.0")
            .as("the DSN-capable next hop reports itself").doesNotContain("erin@dsn.test");
        assertThat(ItSupport.arrivals(withoutDsn, id)).isEqualTo(1);
        assertThat(withDsn.commands()).contains("RCPT TO:<erin@dsn.test> NOTIFY=SUCCESS");
    }

    @Test
    void retFullReturnsTheWholeMessage() throws Exception {
        send(" RET=FULL", Map.of("frank@refuse.test", ""), "give it all back");

        MimeMessage dsn = awaitNoticeFor("frank@refuse.test");

        MimeMultipart parts = (MimeMultipart) dsn.getContent();
        assertThat(parts.getBodyPart(2).isMimeType("message/rfc822")).isTrue();
        String returned = new String(parts.getBodyPart(2).getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(returned).contains("Subject: give it all back").contains("give it all back\r\n");
    }

    @Test
    void mailStillQueuedAfterDelayWarningGivesOneDelayedNotice() throws Exception {
        Map<String, String> recipients = new LinkedHashMap<>();
        recipients.put("slow@slow.test", "");
        recipients.put("quiet@slow.test", " NOTIFY=FAILURE");
        send("", recipients, "stuck for a while");

        String status = ItSupport.deliveryStatus(awaitNoticeFor("slow@slow.test")).orElseThrow();

        assertThat(status).contains("Action: delayed").contains("Status: 4.3.0").contains("Will-Retry-Until: ")
            .as("NOTIFY without DELAY").doesNotContain("quiet@slow.test");
        long deferrals = ItSupport.deferrals(james.webAdmin());
        ItSupport.awaitDeferralsAbove(james.webAdmin(), deferrals + 2);
        // a notice of an attempt before the last counted one is in the spool by now: once it is empty, all are in the INBOX
        ItSupport.await("the spool empty", () -> JSON.readTree(james.webAdmin().get("/mailQueues/spool").body()).path("size").asLong(-1) == 0
            ? true : null);
        assertThat(noticesFor("slow@slow.test")).as("one delayed notice, not one per retry").isEqualTo(1);
        assertThat(deferring.received()).isEmpty();
        james.webAdmin().request("POST", "/routing/queue/delete?destination=route%20slow", null);
    }
}
