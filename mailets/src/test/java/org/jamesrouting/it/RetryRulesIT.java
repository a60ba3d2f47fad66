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
 * queued. Delays by kind of deferral: a route with {@code retry=1h retry.connect=1s} whose relay
 * refuses connections gets its mail as soon as the relay is back, seconds later; one with
 * {@code retry=1s retry.4.2.2=30m} whose server answers 452 4.2.2 waits half an hour. explain shows each
 * rule; webadmin takes and refuses rules in JSON.
 */
class RetryRulesIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path directory;
    static TestSmtpServer quick;
    static TestSmtpServer patient;
    static TestSmtpServer full;
    static TestSmtpServer backAgain;
    static int downPort;
    static InProcessJames james;

    @BeforeAll
    static void start() throws Exception {
        quick = TestSmtpServer.start().reply(Stage.RCPT, "451 4.3.0 mailbox busy, try again");
        patient = TestSmtpServer.start().reply(Stage.RCPT, "451 4.3.0 mailbox busy, try again");
        full = TestSmtpServer.start().reply(Stage.RCPT, "452 4.2.2 mailbox full");
        downPort = JamesHome.freePort();
        JamesHome home = JamesHome.fromProjectConf(directory.resolve("james"))
            .outboundRouter("""
                <routes>file://conf/routes.conf</routes>
                <retrySchedule>1s</retrySchedule>
                <maxAge>1h</maxAge>
                <retryOn>dns 2s; 4.2 3s</retryOn>
                <connectTimeout>2s</connectTimeout>
                <commandTimeout>5s</commandTimeout>
                """)
            .routes("""
                quick.test     127.0.0.1:%d   tls=none id=quick retry=1s max-age=3s
                patient.test   127.0.0.1:%d   tls=none id=patient
                down.test      127.0.0.1:%d   tls=none id=down retry=1h retry.connect=1s
                full.test      127.0.0.1:%d   tls=none id=full retry=1s retry.4.2.2=30m
                """.formatted(quick.port(), patient.port(), downPort, full.port()));
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
        full.close();
        if (backAgain != null) {
            backAgain.close();
        }
    }

    @Test
    void aRelayThatRefusedConnectionsGetsItsMailSoonAfterItIsBackThoughTheRouteRetriesHourly() throws Exception {
        long before = ItSupport.deferrals(james.webAdmin());
        String id = ItSupport.send(james, "alice@example.com", "c@down.test", "relay down");
        ItSupport.awaitDeferralsAbove(james.webAdmin(), before);

        backAgain = TestSmtpServer.start("127.0.0.1", downPort);

        ItSupport.await("the mail at the relay, long before the route's 1 h retry", () -> ItSupport.arrivals(backAgain, id) == 1 ? true : null);
        ItSupport.awaitSettled(james.webAdmin());
        assertThat(ItSupport.arrivals(backAgain, id)).isEqualTo(1);
    }

    @Test
    void aFullMailboxWaitsForItsKindsDelayThoughTheRouteRetriesEverySecond() throws Exception {
        java.time.Instant sent = java.time.Instant.now();
        ItSupport.send(james, "alice@example.com", "d@full.test", "mailbox full");

        JsonNode queued = ItSupport.await("the mail queued after its 4.2.2", () -> {
            JsonNode mails = JSON.readTree(james.webAdmin().get("/routing/queue?destination=route%20full").body()).path("mails");
            return mails.size() == 1 && mails.get(0).path("attempts").asInt() == 1 ? mails.get(0) : null;
        });

        java.time.Instant next = java.time.Instant.parse(queued.path("nextDelivery").asText());
        assertThat(next).as("retry.4.2.2=30m, not retry=1s").isAfter(sent.plus(java.time.Duration.ofMinutes(29)));
        assertThat(full.commands().stream().filter("RCPT TO:<d@full.test>"::equals).count()).isEqualTo(1);
        james.webAdmin().request("POST", "/routing/queue/delete?destination=route%20full", null);
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
        assertThat(mailetRule.path("retry").asText()).startsWith("retry 1s (repeated); by kind of deferral: 4.2 3s; dns 2s, given up after 1h")
            .endsWith("(the OutboundRouter's <retrySchedule>, <retryOn>, <maxAge>, <delayWarning>)");
        assertThat(JSON.readTree(james.webAdmin().get("/routing/explain?address=x@down.test").body()).path("retry").asText())
            .as("a route with its own retry= keeps none of <retryOn>")
            .isEqualTo("retry 1h (repeated); by kind of deferral: connect 1s, given up after 1h, delay notice after 4h "
                + "(route down: retry=1h retry.connect=1s)");
        assertThat(JSON.readTree(james.webAdmin().get("/routing/routes/full").body()).path("retryOn").path("4.2.2").asText()).isEqualTo("30m");
    }

    @Test
    void webadminTakesARuleInJsonAndRefusesABadOne() throws Exception {
        WebAdminClient.Response created = james.webAdmin().request("POST", "/routing/routes",
            "{\"pattern\":\"dyn.test\",\"hosts\":[\"127.0.0.1:2599\"],\"tls\":\"none\",\"retry\":\"2m,20m\",\"maxAge\":\"2h\","
                + "\"retryOn\":{\"Connect\":\"30s\"}}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = JSON.readTree(created.body()).path("id").asText();
        JsonNode stored = JSON.readTree(james.webAdmin().get("/routing/routes/" + id).body());
        assertThat(stored.path("retry").asText()).isEqualTo("2m,20m");
        assertThat(stored.path("maxAge").asText()).isEqualTo("2h");
        assertThat(stored.path("retryOn").path("connect").asText()).isEqualTo("30s");

        WebAdminClient.Response refused = james.webAdmin().request("POST", "/routing/routes",
            "{\"pattern\":\"bad.test\",\"hosts\":[\"127.0.0.1:2599\"],\"retry\":\"whenever\"}");

        assertThat(refused.status()).isEqualTo(400);
        assertThat(JSON.readTree(refused.body()).path("message").asText()).contains("retry: 'whenever' is not a duration");
        WebAdminClient.Response badKind = james.webAdmin().request("POST", "/routing/routes",
            "{\"pattern\":\"bad.test\",\"hosts\":[\"127.0.0.1:2599\"],\"retryOn\":{\"sometimes\":\"1m\"}}");
        assertThat(badKind.status()).isEqualTo(400);
        assertThat(JSON.readTree(badKind.body()).path("message").asText()).contains("'sometimes' is not a kind of deferral");
        assertThat(james.webAdmin().get("/routing/routes").body()).doesNotContain("bad.test");
        assertThat(james.webAdmin().request("DELETE", "/routing/routes/" + id, null).status()).isEqualTo(204);
    }
}
