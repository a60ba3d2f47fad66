package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jamesrouting.testing.TestSmtpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 3461 through a real James: the sender's RET, ENVID, NOTIFY and ORCPT reach a next hop
 * that announces DSN (none of them one that does not), and our own DSN honours NOTIFY and
 * carries Original-Envelope-Id and Original-Recipient.
 */
class DsnRequestIT {
    @TempDir
    static Path directory;
    static TestSmtpServer withDsn;
    static TestSmtpServer withoutDsn;
    static TestSmtpServer refusing;
    static InProcessJames james;

    @BeforeAll
    static void start() throws Exception {
        withDsn = TestSmtpServer.start().offerDsn();
        withoutDsn = TestSmtpServer.start();
        refusing = TestSmtpServer.start().offerDsn().reply(TestSmtpServer.Stage.RCPT, "550 5.1.1 no such user");
        JamesHome home = JamesHome.fromProjectConf(directory)
            .outboundRouter("""
                <routes>file://conf/routes.conf</routes>
                <retrySchedule>1s</retrySchedule>
                <connectTimeout>2s</connectTimeout>
                <commandTimeout>5s</commandTimeout>
                """)
            .routes("""
                dsn.test      127.0.0.1:%d   tls=none
                plain.test    127.0.0.1:%d   tls=none
                refuse.test   127.0.0.1:%d   tls=none
                """.formatted(withDsn.port(), withoutDsn.port(), refusing.port()));
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
}
