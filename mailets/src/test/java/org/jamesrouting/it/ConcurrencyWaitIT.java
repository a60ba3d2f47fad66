package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.jamesrouting.engine.OutboundEngine;
import org.jamesrouting.testing.TestSmtpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Mail for a destination at its concurrency limit waits in memory for the next free delivery
 * slot, not by trips through the durable queue: while the one allowed delivery is kept at the
 * peer's gate, the other five wait in memory (listed by the queue view), they leave the delivery
 * threads free for other destinations, and each goes out, once, as soon as the slot before it is
 * free. The operator's actions take waiting mail out of its wait at once: one bounced (its sender
 * gets the DSN while the gate is still closed), one deleted, one held (delivered once on release).
 */
class ConcurrencyWaitIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MESSAGES = 6;

    @TempDir
    static Path directory;
    static TestSmtpServer busy;
    static TestSmtpServer free;
    static InProcessJames james;

    @BeforeAll
    static void start() throws Exception {
        busy = TestSmtpServer.start();
        free = TestSmtpServer.start();
        JamesHome home = JamesHome.fromProjectConf(directory.resolve("james"))
            .outboundRouter("""
                <routes>file://conf/routes.conf</routes>
                <deliveryThreads>2</deliveryThreads>
                <destinationConcurrency>1</destinationConcurrency>
                <immediateDeliveries>0</immediateDeliveries>
                <connectTimeout>2s</connectTimeout>
                <commandTimeout>90s</commandTimeout>
                """)
            .routes("""
                busy.test   127.0.0.1:%d   tls=none id=busy
                free.test   127.0.0.1:%d   tls=none id=free
                """.formatted(busy.port(), free.port()));
        james = InProcessJames.start(home);
        james.webAdmin().addDomain("example.com");
        james.webAdmin().addUser("alice@example.com", "alicepass");
    }

    @AfterAll
    static void stop() throws Exception {
        busy.openGate();
        if (james != null) {
            james.close();
        }
        busy.close();
        free.close();
    }

    private static JsonNode waitingInMemory() throws Exception {
        return busyQueueView().path("waitingInMemory");
    }

    /** The queue view of the busy destination: queued, waiting in memory. */
    private static JsonNode busyQueueView() throws Exception {
        return JSON.readTree(james.webAdmin().get("/routing/queue?destination=" + URLEncoder.encode("route busy", StandardCharsets.UTF_8))
            .body());
    }

    private static JsonNode act(String action, String name) throws Exception {
        WebAdminClient.Response response = james.webAdmin().request("POST", "/routing/queue/" + action + "?message="
            + URLEncoder.encode(name, StandardCharsets.UTF_8), null);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static List<String> names(JsonNode array) {
        List<String> names = new ArrayList<>();
        array.forEach(name -> names.add(name.asText()));
        return names;
    }

    @Test
    void mailForAFullDestinationWaitsInMemoryAndGoesOutAsSoonAsASlotIsFree() throws Exception {
        busy.closeGate();
        List<String> ids = new ArrayList<>();
        try (LogCapture engineLog = LogCapture.of(OutboundEngine.class)) {
            for (int i = 0; i < MESSAGES; i++) {
                ids.add(ItSupport.send(james, "alice@example.com", "user" + i + "@busy.test", "busy " + i));
            }
            AtomicReference<String> seen = new AtomicReference<>("nothing");
            try {
                ItSupport.await("one delivery at the gate, five waiting in memory", () -> {
                    int atGate = busy.atGate();
                    JsonNode view = busyQueueView();
                    seen.set("at the gate " + atGate + ", received " + busy.received().size() + ", queue view " + view
                        + ", status " + james.webAdmin().get("/routing/status").body());
                    return atGate == 1 && view.path("waitingInMemory").size() == MESSAGES - 1 ? true : null;
                });
            } catch (AssertionError timedOut) {
                throw new AssertionError(timedOut.getMessage() + "; last seen: " + seen.get(), timedOut);
            }
            JsonNode waiting = waitingInMemory();
            for (JsonNode mail : waiting) {
                assertThat(mail.path("destination").asText()).isEqualTo("route busy");
                assertThat(mail.path("waitsFor").asText()).contains("delivery slot");
                assertThat(mail.path("recipients").get(0).asText()).endsWith("@busy.test");
            }
            JsonNode status = JSON.readTree(james.webAdmin().get("/routing/status").body());
            assertThat(status.path("waitingForDeliverySlot").path("route busy").asInt()).isEqualTo(MESSAGES - 1);

            String bounced = waiting.get(0).path("name").asText();
            String bouncedRecipient = waiting.get(0).path("recipients").get(0).asText();
            String deletedRecipient = waiting.get(1).path("recipients").get(0).asText();
            String heldRecipient = waiting.get(2).path("recipients").get(0).asText();
            JsonNode bounce = act("bounce", bounced);
            assertThat(names(bounce.path("done"))).as("taken out of its wait at once").containsExactly(bounced);
            assertThat(bounce.path("busy")).isEmpty();
            assertThat(names(act("delete", waiting.get(1).path("name").asText()).path("done"))).hasSize(1);
            List<String> heldCopy = names(act("hold", waiting.get(2).path("name").asText()).path("done"));
            assertThat(heldCopy).hasSize(1);
            assertThat(ItSupport.awaitDsnFor(james.mailboxes(), "alice@example.com", "alicepass", bouncedRecipient))
                .as("the DSN while the gate is still closed").contains("Action: failed");
            assertThat(waitingInMemory()).hasSize(MESSAGES - 4);

            String freeId = ItSupport.send(james, "alice@example.com", "user@free.test", "free");
            ItSupport.await("the other destination's mail, while five wait", () -> ItSupport.arrivals(free, freeId) == 1 ? true : null);
            assertThat(busy.atGate()).as("still kept at the gate").isEqualTo(1);

            busy.openGate();
            ItSupport.await("the three left at the busy peer", () -> busy.received().size() >= MESSAGES - 3 ? true : null);
            ItSupport.awaitSettled(james.webAdmin());
            assertThat(act("release", heldCopy.get(0)).path("done")).hasSize(1);
            ItSupport.await("the released one at the busy peer", () -> busy.received().size() >= MESSAGES - 2 ? true : null);
            ItSupport.awaitSettled(james.webAdmin());

            List<String> arrived = busy.received().stream().map(received -> received.recipients().get(0)).toList();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++) {
                expected.add("user" + i + "@busy.test");
            }
            expected.remove(bouncedRecipient);
            expected.remove(deletedRecipient);
            assertThat(arrived).as("each once, but the bounced and the deleted").containsExactlyInAnyOrderElementsOf(expected)
                .contains(heldRecipient);
            assertThat(busy.mostConcurrentSessions()).isEqualTo(1);
            assertThat(engineLog.anyLineWith("waits in the queue")).as("no mail went back to the durable queue to wait").isFalse();
            assertThat(waitingInMemory()).isEmpty();
        }
    }
}
