package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local or remote, with the project's conf/ as shipped: local recipients reach their mailbox
 * (read back over IMAP), domain aliases and address aliases count as local, an unknown user of
 * a local domain is refused at RCPT by the default undelivered-mail rule.
 */
class LocalDeliveryIT {
    @TempDir
    static Path directory;
    static InProcessJames james;

    @BeforeAll
    static void start() throws Exception {
        james = InProcessJames.start(JamesHome.fromProjectConf(directory));
        WebAdminClient webAdmin = james.webAdmin();
        webAdmin.addDomain("example.com");
        webAdmin.addDomain("example.net");
        webAdmin.addDomainAlias("example.com", "example.net");
        webAdmin.addUser("bob@example.com", "bobpass");
        webAdmin.addUser("carol@example.com", "carolpass");
        webAdmin.addAddressAlias("carol@example.com", "caroline@example.com");
    }

    @AfterAll
    static void stop() {
        if (james != null) {
            james.close();
        }
    }

    private static void awaitMessageId(String user, String password, String messageId) throws Exception {
        james.mailboxes().awaitMessageId(user, password, messageId);
    }

    @Test
    void aLocalUserGetsTheMailInTheMailbox() throws Exception {
        String message = SmtpTestClient.message("sender@remote.test", "bob@example.com", "to bob");
        SmtpTestClient.Transaction transaction = james.send("sender@remote.test", List.of("bob@example.com"), message);

        assertThat(transaction.rcptReplies()).extracting(SmtpTestClient.Reply::code).containsExactly(250);
        assertThat(transaction.dataReply().code()).isEqualTo(250);
        awaitMessageId("bob@example.com", "bobpass", SmtpTestClient.messageId(message));
    }

    @Test
    void aDomainAliasIsLocalWhateverTheCase() throws Exception {
        String message = SmtpTestClient.message("sender@remote.test", "Carol@EXAMPLE.NET", "to carol via the alias domain");
        SmtpTestClient.Transaction transaction = james.send("sender@remote.test", List.of("Carol@EXAMPLE.NET"), message);

        assertThat(transaction.rcptReplies().get(0).code()).isEqualTo(250);
        assertThat(transaction.dataReply().code()).isEqualTo(250);
        awaitMessageId("carol@example.com", "carolpass", SmtpTestClient.messageId(message));
    }

    @Test
    void anAddressAliasOfAnExistingUserIsNotUndelivered() throws Exception {
        String message = SmtpTestClient.message("sender@remote.test", "caroline@example.com", "to carol via her alias");
        SmtpTestClient.Transaction transaction = james.send("sender@remote.test", List.of("caroline@example.com"), message);

        assertThat(transaction.rcptReplies().get(0).code()).isEqualTo(250);
        awaitMessageId("carol@example.com", "carolpass", SmtpTestClient.messageId(message));
    }

    @Test
    void anUnknownUserOfALocalDomainIsRefusedAtRcptByDefault() throws Exception {
        SmtpTestClient.Transaction transaction = james.send("sender@remote.test", List.of("nobody@example.com"),
            SmtpTestClient.message("sender@remote.test", "nobody@example.com", "lost?"));

        SmtpTestClient.Reply reply = transaction.rcptReplies().get(0);
        assertThat(reply.code()).isEqualTo(550);
        assertThat(reply.text()).startsWith("5.1.1");
        assertThat(transaction.dataReply()).isNull();
    }

    @Test
    void anUnknownUserOfAnAliasDomainIsRefusedToo() throws Exception {
        SmtpTestClient.Transaction transaction = james.send("sender@remote.test", List.of("nobody@example.net"),
            SmtpTestClient.message("sender@remote.test", "nobody@example.net", "lost?"));

        assertThat(transaction.rcptReplies().get(0).code()).isEqualTo(550);
    }

    @Test
    void mixedRecipientsAreSplitGoodOnesDelivered() throws Exception {
        String message = SmtpTestClient.message("sender@remote.test", "bob@example.com", "mixed");
        SmtpTestClient.Transaction transaction = james.send("sender@remote.test",
            List.of("nobody@example.com", "bob@example.com"), message);

        assertThat(transaction.rcptReplies()).extracting(SmtpTestClient.Reply::code).containsExactly(550, 250);
        assertThat(transaction.dataReply().code()).isEqualTo(250);
        awaitMessageId("bob@example.com", "bobpass", SmtpTestClient.messageId(message));
    }

    @Test
    void submissionRefusesToRelayWithoutAuth() throws Exception {
        try (SmtpTestClient smtp = SmtpTestClient.connect(james.home().submissionPort())) {
            SmtpTestClient.Transaction transaction = smtp.send("sender@remote.test", List.of("someone@remote.test"),
                SmtpTestClient.message("sender@remote.test", "someone@remote.test", "relay?"));
            SmtpTestClient.Reply reply = transaction.rcptReplies().get(0);
            assertThat(reply.code()).isEqualTo(550);
            assertThat(reply.text()).startsWith("5.7.1");
        }
    }
}
