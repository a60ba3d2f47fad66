package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.jamesrouting.testing.TestSmtpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No open relay: a client outside smtpserver.xml's authorizedAddresses (here only 127.0.0.2 is
 * trusted; the outsider connects from 127.0.0.1) may send to local domains only, whatever
 * address tricks it tries; a trusted client may relay.
 */
class RelayControlIT {
    @TempDir
    static Path directory;
    static InProcessJames james;
    static TestSmtpServer smarthost;

    @BeforeAll
    static void start() throws Exception {
        smarthost = TestSmtpServer.start();
        JamesHome home = JamesHome.fromProjectConf(directory)
            .edit("smtpserver.xml", text -> text.replace("<authorizedAddresses>127.0.0.0/8</authorizedAddresses>",
                "<authorizedAddresses>127.0.0.2/32</authorizedAddresses>"))
            .outboundRouter("<smarthost>127.0.0.1:%d tls=none</smarthost>".formatted(smarthost.port()));
        james = InProcessJames.start(home);
        james.webAdmin().addDomain("example.com");
        james.webAdmin().addUser("bob@example.com", "bobpass");
    }

    @AfterAll
    static void stop() throws Exception {
        james.close();
        smarthost.close();
    }

    private static SmtpTestClient.Reply rcpt(String from, String recipient) throws Exception {
        try (SmtpTestClient smtp = SmtpTestClient.connect(james.home().smtpPort(), from)) {
            smtp.command("EHLO outsider.test");
            smtp.command("MAIL FROM:<spammer@outside.test>");
            return smtp.command("RCPT TO:<" + recipient + ">");
        }
    }

    @Test
    void anOutsiderCannotRelayWhateverTheAddressTrick() throws Exception {
        assertThat(rcpt("127.0.0.1", "victim@remote.test").code()).isEqualTo(550);
        for (String trick : List.of("victim%remote.test@example.com", "\"victim@remote.test\"@example.com",
            "@example.com:victim@remote.test", "victim@remote.test@example.com", "victim!remote.test@example.com")) {
            SmtpTestClient.Reply reply = rcpt("127.0.0.1", trick);
            assertThat(reply.code()).as(trick + " -> " + reply).isGreaterThanOrEqualTo(500);
        }
        ItSupport.awaitSettled(james.webAdmin());
        assertThat(smarthost.received()).isEmpty();
        assertThat(smarthost.connections()).isZero();
    }

    @Test
    void anOutsiderMayStillWriteToALocalUser() throws Exception {
        String message = SmtpTestClient.message("friend@outside.test", "bob@example.com", "hello from outside");
        try (SmtpTestClient smtp = SmtpTestClient.connect(james.home().smtpPort(), "127.0.0.1")) {
            assertThat(smtp.send("friend@outside.test", List.of("bob@example.com"), message).dataReply().code()).isEqualTo(250);
        }
        james.mailboxes().awaitMessageId("bob@example.com", "bobpass", SmtpTestClient.messageId(message));
    }

    @Test
    void aTrustedClientMayRelay() throws Exception {
        String message = SmtpTestClient.message("app@example.com", "someone@remote.test", "trusted");
        try (SmtpTestClient smtp = SmtpTestClient.connect(james.home().smtpPort(), "127.0.0.2")) {
            assertThat(smtp.send("app@example.com", List.of("someone@remote.test"), message).dataReply().code()).isEqualTo(250);
        }
        String id = SmtpTestClient.messageId(message);
        ItSupport.await("the relayed message", () -> smarthost.received().stream()
            .anyMatch(received -> received.header("Message-ID").orElse("").equals(id)) ? true : null);
    }
}
