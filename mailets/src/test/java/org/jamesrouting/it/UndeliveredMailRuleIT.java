package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import javax.mail.internet.MimeMessage;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Each action of the undelivered-mail rule, through real SMTP into a real James, checked where
 * the mail ends up: the sender's mailbox (DSN, parsed as RFC 3464), the catch-all's mailbox, a
 * mail repository listed by webadmin.
 */
class UndeliveredMailRuleIT {
    private static final String UNDELIVERED_REPOSITORY = "var/mail/undelivered-test/";
    private static final String FALLBACK_REPOSITORY = "var/mail/undelivered/";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path directory;
    static InProcessJames james;

    @BeforeAll
    static void start() throws Exception {
        JamesHome home = JamesHome.fromProjectConf(directory).undeliveredRule("reject", """
                bounce.test = bounce
                fwd.test = forward:catchall@example.com   # the catch-all
                store.test = store:memory://var/mail/undelivered-test/
                bücher.example = bounce
                loop.test = forward:nobody@loop.test
            """);
        james = InProcessJames.start(home);
        WebAdminClient webAdmin = james.webAdmin();
        for (String domain : List.of("example.com", "bounce.test", "fwd.test", "store.test", "xn--bcher-kva.example", "loop.test")) {
            webAdmin.addDomain(domain);
        }
        webAdmin.addUser("alice@example.com", "alicepass");
        webAdmin.addUser("catchall@example.com", "catchallpass");
        webAdmin.addUser("bob@bounce.test", "bobpass");
    }

    @AfterAll
    static void stop() {
        if (james != null) {
            james.close();
        }
    }

    @Test
    void bounceAcceptsThenSendsAnRfc3464DsnToTheSender() throws Exception {
        SmtpTestClient.Transaction transaction = james.send("alice@example.com", List.of("nobody@bounce.test"),
            SmtpTestClient.message("alice@example.com", "nobody@bounce.test", "will bounce"));

        assertThat(transaction.rcptReplies().get(0).code()).isEqualTo(250);
        assertThat(transaction.dataReply().code()).isEqualTo(250);
        String status = awaitDsnFor("nobody@bounce.test");
        assertThat(status).contains("Action: failed").contains("Status: 5.1.1");
    }

    @Test
    void aRuleWrittenWithAnInternationalizedDomainAppliesToItsPunycodeForm() throws Exception {
        SmtpTestClient.Transaction transaction = james.send("alice@example.com", List.of("nobody@xn--bcher-kva.example"),
            SmtpTestClient.message("alice@example.com", "nobody@xn--bcher-kva.example", "idn"));

        assertThat(transaction.rcptReplies().get(0).code()).isEqualTo(250);
        assertThat(awaitDsnFor("nobody@xn--bcher-kva.example")).contains("Status: 5.1.1");
    }

    @Test
    void forwardDeliversToTheCatchAllWithOriginalHeadersKept() throws Exception {
        String message = SmtpTestClient.message("sender@remote.test", "nobody@fwd.test", "for the catch-all");
        SmtpTestClient.Transaction transaction = james.send("sender@remote.test", List.of("nobody@fwd.test"), message);

        assertThat(transaction.rcptReplies().get(0).code()).isEqualTo(250);
        MimeMessage received = awaitMessageId("catchall@example.com", "catchallpass", SmtpTestClient.messageId(message));
        assertThat(received.getSubject()).isEqualTo("for the catch-all");
        assertThat(received.getHeader("From", null)).isEqualTo("<sender@remote.test>");
        assertThat(received.getHeader("X-Original-To", null)).isEqualTo("nobody@fwd.test");
    }

    @Test
    void storeKeepsTheMailInARepositoryThatWebadminLists() throws Exception {
        String message = SmtpTestClient.message("sender@remote.test", "nobody@store.test", "keep me");
        james.send("sender@remote.test", List.of("nobody@store.test"), message);

        JsonNode stored = awaitRepositoryMailTo(UNDELIVERED_REPOSITORY, "nobody@store.test");
        assertThat(stored.get("sender").asText()).isEqualTo("sender@remote.test");
        assertThat(stored.get("error").asText()).contains("5.1.1");
        JsonNode repositories = JSON.readTree(james.webAdmin().get("/mailRepositories").body());
        assertThat(repositories.findValuesAsText("path")).contains("var%2Fmail%2Fundelivered-test");
    }

    @Test
    void aMultiRecipientMessageIsSplitEachRecipientGetsItsOwnFate() throws Exception {
        String message = SmtpTestClient.message("alice@example.com", "bob@bounce.test", "mixed bag");
        SmtpTestClient.Transaction transaction = james.send("alice@example.com",
            List.of("bob@bounce.test", "ghost@fwd.test", "ghost@bounce.test", "ghost@example.com"), message);

        assertThat(transaction.rcptReplies()).extracting(SmtpTestClient.Reply::code).containsExactly(250, 250, 250, 550);
        assertThat(transaction.dataReply().code()).isEqualTo(250);
        String messageId = SmtpTestClient.messageId(message);
        awaitMessageId("bob@bounce.test", "bobpass", messageId);
        assertThat(awaitMessageId("catchall@example.com", "catchallpass", messageId).getHeader("X-Original-To", null))
            .isEqualTo("ghost@fwd.test");
        String status = awaitDsnFor("ghost@bounce.test");
        assertThat(status).doesNotContain("bob@bounce.test").doesNotContain("ghost@fwd.test");
    }

    @Test
    void aBounceWithNullSenderIsKeptInTheFallbackRepository() throws Exception {
        SmtpTestClient.Transaction transaction = james.send("", List.of("orphan@bounce.test"),
            SmtpTestClient.message("mailer-daemon@remote.test", "orphan@bounce.test", "a bounce of a bounce"));

        assertThat(transaction.dataReply().code()).isEqualTo(250);
        awaitRepositoryMailTo(FALLBACK_REPOSITORY, "orphan@bounce.test");
    }

    @Test
    void aForwardThatWouldLoopIsKeptInTheFallbackRepository() throws Exception {
        james.send("sender@remote.test", List.of("nobody@loop.test"),
            SmtpTestClient.message("sender@remote.test", "nobody@loop.test", "loop"));

        awaitRepositoryMailTo(FALLBACK_REPOSITORY, "nobody@loop.test");
    }

    private static String awaitDsnFor(String recipient) throws Exception {
        return ItSupport.awaitDsnFor(james.mailboxes(), "alice@example.com", "alicepass", recipient);
    }

    private static MimeMessage awaitMessageId(String user, String password, String messageId) throws Exception {
        return james.mailboxes().awaitMessageId(user, password, messageId);
    }

    /** The webadmin JSON of the mail in that repository addressed to the recipient. */
    private static JsonNode awaitRepositoryMailTo(String repositoryPath, String recipient) throws Exception {
        return await(recipient + " in " + repositoryPath, () -> {
            WebAdminClient.Response keys = james.webAdmin().repositoryMails(repositoryPath);
            if (keys.status() != 200) {
                return null;
            }
            for (JsonNode key : JSON.readTree(keys.body())) {
                WebAdminClient.Response mail = james.webAdmin().get("/mailRepositories/"
                    + java.net.URLEncoder.encode(repositoryPath, StandardCharsets.UTF_8) + "/mails/" + key.asText());
                JsonNode details = JSON.readTree(mail.body());
                if (details.get("recipients").toString().contains(recipient)) {
                    return details;
                }
            }
            return null;
        });
    }

    private static <T> T await(String what, Callable<T> probe) throws Exception {
        return ItSupport.await(what, probe);
    }
}
