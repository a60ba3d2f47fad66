package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.jamesrouting.testing.TestSmtpServer;
import org.jamesrouting.testing.TestSmtpServer.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A route's own retry rule, through a real James: one message to two deferring peers, one on a
 * route with {@code retry=1s max-age=3s}, the other on a route that follows the mailet's 1 h
 * maximum age: the first recipient gets its DSN after the route's max-age, the second stays
 * queued. explain shows each rule; webadmin takes and refuses rules in JSON.
 */
class RetryRulesIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path directory;
    static TestSmtpServer quick;
    static TestSmtpServer patient;
    static InProcessJames james;

    @BeforeAll
    static void start() throws Exception {
        quick = TestSmtpServer.start().reply(Stage.RCPT, "451 4.3.0 mailbox busy, try again");
        patient = TestSmtpServer.start().reply(Stage.RCPT, "451 4.3.0 mailbox busy, try again");
        JamesHome home = JamesHome.fromProjectConf(directory.resolve("james"))
            .outboundRouter("""
                <routes>file://conf/routes.conf</routes>
                <retrySchedule>1s</retrySchedule>
                <maxAge>1h</maxAge>
                <connectTimeout>2s</connectTimeout>
                <commandTimeout>5s</commandTimeout>
                """)
            .routes("""
                quick.test     127.0.0.1:%d   tls=none id=quick retry=1s max-age=3s
                patient.test   127.0.0.1:%d   tls=none id=patient
                """.formatted(quick.port(), patient.port()));
        james = InProcessJames.start(home);
        james.webAdmin().addDomain("example.com");
        james.webAdmin().addUser("alice@example.com", "alicepass");
    }

    @AfterAll
    static void stop() throws Exception {
        if (james != null) {
            james.close();
        }
        quick.close();
        patient.close();
    }

    @Test
    void eachRecipientIsGivenUpOnByItsOwnRoutesMaxAge() throws Exception {
        String message = SmtpTestClient.message("alice@example.com", "a@quick.test", "two rules");
        try (SmtpTestClient smtp = james.smtp()) {
            assertThat(smtp.send("alice@example.com", List.of("a@quick.test", "b@patient.test"), message).dataReply().code()).isEqualTo(250);
        }

        String status = ItSupport.awaitDsnFor(james.mailboxes(), "alice@example.com", "alicepass", "a@quick.test");

        assertThat(status).contains("Action: failed").contains("Status: 5.3.0").doesNotContain("b@patient.test");
        JsonNode queued = ItSupport.await("b@patient.test still queued", () -> {
            JsonNode mails = JSON.readTree(james.webAdmin().get("/routing/queue?destination=route%20patient").body()).path("mails");
            return mails.size() == 1 ? mails : null;
        });
        List<String> recipients = new ArrayList<>();
        queued.get(0).path("recipients").forEach(recipient -> recipients.add(recipient.asText()));
        assertThat(recipients).containsExactly("b@patient.test");
        assertThat(patient.commands().stream().filter("RCPT TO:<b@patient.test>"::equals).count()).as("tried again, not given up on")
            .isGreaterThanOrEqualTo(2);
        james.webAdmin().request("POST", "/routing/queue/delete?destination=route%20patient", null);
    }

    @Test
    void explainShowsTheRuleThatApplies() throws Exception {
        JsonNode quickRule = JSON.readTree(james.webAdmin().get("/routing/explain?address=x@quick.test").body());
        JsonNode mailetRule = JSON.readTree(james.webAdmin().get("/routing/explain?address=x@patient.test").body());

        assertThat(quickRule.path("retry").asText())
            .isEqualTo("retry 1s (repeated), given up after 3s, delay notice after 4h (route quick: retry=1s max-age=3s)");
        assertThat(quickRule.path("route").path("maxAge").asText()).isEqualTo("3s");
        assertThat(mailetRule.path("retry").asText()).startsWith("retry 1s (repeated), given up after 1h")
            .endsWith("(the OutboundRouter's <retrySchedule>, <maxAge>, <delayWarning>)");
    }

    @Test
    void webadminTakesARuleInJsonAndRefusesABadOne() throws Exception {
        WebAdminClient.Response created = james.webAdmin().request("POST", "/routing/routes",
            "{\"pattern\":\"dyn.test\",\"hosts\":[\"127.0.0.1:2599\"],\"tls\":\"none\",\"retry\":\"2m,20m\",\"maxAge\":\"2h\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = JSON.readTree(created.body()).path("id").asText();
        JsonNode stored = JSON.readTree(james.webAdmin().get("/routing/routes/" + id).body());
        assertThat(stored.path("retry").asText()).isEqualTo("2m,20m");
        assertThat(stored.path("maxAge").asText()).isEqualTo("2h");

        WebAdminClient.Response refused = james.webAdmin().request("POST", "/routing/routes",
            "{\"pattern\":\"bad.test\",\"hosts\":[\"127.0.0.1:2599\"],\"retry\":\"whenever\"}");

        assertThat(refused.status()).isEqualTo(400);
        assertThat(JSON.readTree(refused.body()).path("message").asText()).contains("retry: 'whenever' is not a duration");
        assertThat(james.webAdmin().get("/routing/routes").body()).doesNotContain("bad.test");
        assertThat(james.webAdmin().request("DELETE", "/routing/routes/" + id, null).status()).isEqualTo(204);
    }
}
