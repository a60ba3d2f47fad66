package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.mail.internet.MimeMessage;

import org.jamesrouting.testing.TestSmtpServer;
import org.jamesrouting.testing.TestSmtpServer.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The operator's hand on the queue, through a real James and webadmin: hold and release one
 * message, bounce and delete queued mail, hold a destination and bounce its held mail, and the
 * errors of bad requests. (Holds across kill -9: {@link QueueHoldDurabilityIT}.)
 */
class QueueControlIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path directory;
    static TestSmtpServer releasing;
    static TestSmtpServer removing;
    static TestSmtpServer holding;
    static TestSmtpServer retrying;
    static InProcessJames james;

    @BeforeAll
    static void start() throws Exception {
        releasing = TestSmtpServer.start().reply(Stage.RCPT, "451 4.3.0 mailbox busy, try again");
        removing = TestSmtpServer.start().reply(Stage.RCPT, "451 4.3.0 mailbox busy, try again");
        holding = TestSmtpServer.start();
        retrying = TestSmtpServer.start().reply(Stage.RCPT, "451 4.3.0 mailbox busy, try again");
        JamesHome home = JamesHome.fromProjectConf(directory.resolve("james"))
            .outboundRouter("""
                <routes>file://conf/routes.conf</routes>
                <retrySchedule>1h</retrySchedule>
                <connectTimeout>2s</connectTimeout>
                <commandTimeout>5s</commandTimeout>
                """)
            .routes("""
                release.test  127.0.0.1:%d  tls=none id=release
                remove.test   127.0.0.1:%d  tls=none id=remove
                hold.test     127.0.0.1:%d  tls=none id=hold
                retry.test    127.0.0.1:%d  tls=none id=retry
                """.formatted(releasing.port(), removing.port(), holding.port(), retrying.port()));
        james = InProcessJames.start(home);
        james.webAdmin().addDomain("example.com");
        james.webAdmin().addUser("alice@example.com", "alicepass");
    }

    @AfterAll
    static void stop() throws Exception {
        if (james != null) {
            james.close();
        }
        releasing.close();
        removing.close();
        holding.close();
        retrying.close();
    }

    private static JsonNode post(String path, int expected) throws Exception {
        WebAdminClient.Response response = james.webAdmin().request("POST", path, null);
        assertThat(response.status()).as(path + ": " + response.body()).isEqualTo(expected);
        return JSON.readTree(response.body());
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static JsonNode queue(String destination) throws Exception {
        return JSON.readTree(james.webAdmin().get("/routing/queue?destination=" + encode(destination)).body());
    }

    /** The names of the queued mails of a destination, once there are {@code count}. */
    private static List<String> awaitQueued(String destination, int count) throws Exception {
        return ItSupport.await(count + " queued for " + destination, () -> {
            List<String> names = new ArrayList<>();
            queue(destination).path("mails").forEach(mail -> names.add(mail.path("name").asText()));
            return names.size() == count ? names : null;
        });
    }

    private static List<String> names(JsonNode array) {
        List<String> names = new ArrayList<>();
        array.forEach(name -> names.add(name.asText()));
        return names;
    }

    private static Optional<String> dsnFor(String recipient) throws Exception {
        for (MimeMessage message : james.mailboxes().inboxWhileDelivering("alice@example.com", "alicepass")) {
            Optional<String> status = ItSupport.deliveryStatus(message);
            if (status.isPresent() && status.get().contains("Final-Recipient: rfc822; " + recipient)) {
                return status;
            }
        }
        return Optional.empty();
    }

    @Test
    void aHeldMessageIsNotTriedAndIsDeliveredOnceWhenReleased() throws Exception {
        String id = ItSupport.send(james, "alice@example.com", "bob@release.test", "held, then released");
        String name = awaitQueued("route release", 1).get(0);

        JsonNode held = post("/routing/queue/hold?message=" + encode(name) + "&reason=" + encode("ask the customer first"), 200);

        assertThat(names(held.path("done"))).hasSize(1);
        String heldName = names(held.path("done")).get(0);
        JsonNode view = queue("route release");
        assertThat(view.path("mails")).as("not in the queue any more").isEmpty();
        JsonNode all = JSON.readTree(james.webAdmin().get("/routing/queue").body());
        assertThat(all.path("held")).hasSize(1);
        assertThat(all.path("held").get(0).path("name").asText()).isEqualTo(heldName);
        assertThat(all.path("held").get(0).path("heldFor").asText()).isEqualTo("message");
        assertThat(all.path("held").get(0).path("reason").asText()).isEqualTo("ask the customer first");
        assertThat(all.path("held").get(0).path("recipients").get(0).asText()).isEqualTo("bob@release.test");

        releasing.reset();
        JsonNode released = post("/routing/queue/release?message=" + encode(heldName), 200);

        assertThat(names(released.path("done"))).containsExactly(heldName);
        ItSupport.await("the released mail at the peer", () -> ItSupport.arrivals(releasing, id) == 1 ? true : null);
        ItSupport.awaitSettled(james.webAdmin());
        assertThat(ItSupport.arrivals(releasing, id)).isEqualTo(1);
        assertThat(JSON.readTree(james.webAdmin().get("/routing/queue").body()).path("held")).isEmpty();
    }

    @Test
    void bounceTellsTheSenderAndDeleteDoesNot() throws Exception {
        ItSupport.send(james, "alice@example.com", "bounced@remove.test", "bounced by the operator");
        ItSupport.send(james, "alice@example.com", "deleted@remove.test", "deleted by the operator");
        List<String> queued = awaitQueued("route remove", 2);
        String bouncedName = null;
        String deletedName = null;
        for (JsonNode mail : queue("route remove").path("mails")) {
            if (mail.path("recipients").get(0).asText().startsWith("bounced")) {
                bouncedName = mail.path("name").asText();
            } else {
                deletedName = mail.path("name").asText();
            }
        }
        assertThat(queued).containsExactlyInAnyOrder(bouncedName, deletedName);

        assertThat(names(post("/routing/queue/bounce?message=" + encode(bouncedName), 200).path("done"))).containsExactly(bouncedName);
        assertThat(names(post("/routing/queue/delete?message=" + encode(deletedName), 200).path("done"))).containsExactly(deletedName);

        String status = ItSupport.awaitDsnFor(james.mailboxes(), "alice@example.com", "alicepass", "bounced@remove.test");
        assertThat(status).contains("Action: failed").contains("Status: 5.0.0")
            .contains("removed from the queue by the mail administrator");
        ItSupport.awaitSettled(james.webAdmin());
        assertThat(queue("route remove").path("mails")).isEmpty();
        assertThat(dsnFor("deleted@remove.test")).as("no DSN for deleted mail").isEmpty();
        assertThat(removing.received()).isEmpty();
        post("/routing/queue/delete?message=" + encode(deletedName), 404);
    }

    @Test
    void aDestinationOnHoldKeepsItsMailUntilTheOperatorBouncesIt() throws Exception {
        JsonNode hold = post("/routing/queue/hold?destination=route:hold&reason=" + encode("their server is being moved"), 200);
        assertThat(hold.path("destination").asText()).isEqualTo("route hold");
        ItSupport.send(james, "alice@example.com", "one@hold.test", "held for the destination");
        ItSupport.send(james, "alice@example.com", "two@hold.test", "held for the destination too");

        JsonNode holds = ItSupport.await("two held for route hold", () -> {
            JsonNode list = JSON.readTree(james.webAdmin().get("/routing/queue/holds").body());
            return list.size() == 1 && list.get(0).path("held").asLong() == 2 ? list : null;
        });
        assertThat(holds.get(0).path("destination").asText()).isEqualTo("route hold");
        assertThat(holds.get(0).path("reason").asText()).isEqualTo("their server is being moved");
        ItSupport.awaitSettled(james.webAdmin());
        assertThat(holding.received()).as("not tried while held").isEmpty();
        assertThat(holding.connections()).isZero();

        JsonNode bounced = post("/routing/queue/bounce?destination=" + encode("route hold"), 200);

        assertThat(names(bounced.path("done"))).hasSize(2);
        ItSupport.awaitDsnFor(james.mailboxes(), "alice@example.com", "alicepass", "one@hold.test");
        ItSupport.awaitDsnFor(james.mailboxes(), "alice@example.com", "alicepass", "two@hold.test");
        assertThat(queue("route hold").path("held")).isEmpty();
        assertThat(holding.received()).isEmpty();
        assertThat(names(post("/routing/queue/release?destination=" + encode("route hold"), 200).path("done"))).isEmpty();
        assertThat(JSON.readTree(james.webAdmin().get("/routing/queue/holds").body())).isEmpty();
    }

    @Test
    void badRequestsAreRefusedWithAJsonError() throws Exception {
        WebAdminClient.Response neither = james.webAdmin().request("POST", "/routing/queue/hold", null);
        assertThat(neither.status()).isEqualTo(400);
        assertThat(neither.body()).contains("give either ?destination=d");
        assertThat(james.webAdmin().request("POST", "/routing/queue/bounce?destination=route%20x&message=y", null).status()).isEqualTo(400);
        WebAdminClient.Response badDestination = james.webAdmin().request("POST", "/routing/queue/hold?destination=" + encode("route a/b"), null);
        assertThat(badDestination.status()).isEqualTo(400);
        assertThat(badDestination.body()).contains("route id");
        WebAdminClient.Response unknown = james.webAdmin().request("POST", "/routing/queue/release?message=no-such-mail", null);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body()).contains("no held message named 'no-such-mail'");
        assertThat(JSON.readTree(james.webAdmin().get("/routing/queue/holds").body())).isEmpty();
    }

    @Test
    void retrySendsAQueuedMessageNowNotAtItsNextTry() throws Exception {
        String id = ItSupport.send(james, "alice@example.com", "carol@retry.test", "tried again at once");
        String name = awaitQueued("route retry", 1).get(0);
        retrying.reset();

        JsonNode retried = post("/routing/queue/retry?message=" + encode(name), 200);

        assertThat(names(retried.path("done"))).hasSize(1);
        ItSupport.await("the retried mail at the peer, long before its 1 h retry", () -> ItSupport.arrivals(retrying, id) == 1 ? true : null);
        ItSupport.awaitSettled(james.webAdmin());
        assertThat(ItSupport.arrivals(retrying, id)).isEqualTo(1);
        assertThat(queue("route retry").path("mails")).isEmpty();
        post("/routing/queue/retry?message=" + encode(name), 404);
    }
}
