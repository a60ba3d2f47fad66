package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.jamesrouting.testing.TestSmtpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Rate shaping through a real James: a route with {@code rate=120/m} and the smart host with
 * {@code <destinationRates>smart host 120/m} each get 21 messages at the asked pace (20
 * intervals of 0.5 s: 10 s ± 10 %, no two closer than half an interval), while 21 messages sent
 * at the same time to an unshaped route each arrive within 3 s. Afterwards nothing is left
 * waiting in memory.
 */
class RateShapingIT {
    private static final int MESSAGES = 21;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path directory;
    static TestSmtpServer shaped;
    static TestSmtpServer free;
    static TestSmtpServer relay;
    static InProcessJames james;

    @BeforeAll
    static void start() throws Exception {
        shaped = TestSmtpServer.start();
        free = TestSmtpServer.start();
        relay = TestSmtpServer.start();
        JamesHome home = JamesHome.fromProjectConf(directory.resolve("james"))
            .outboundRouter("""
                <routes>file://conf/routes.conf</routes>
                <smarthost>127.0.0.1:%d tls=none</smarthost>
                <destinationRates>smart host 120/m</destinationRates>
                <connectTimeout>2s</connectTimeout>
                <commandTimeout>5s</commandTimeout>
                """.formatted(relay.port()))
            .routes("""
                shaped.test   127.0.0.1:%d   tls=none id=shaped rate=120/m
                free.test     127.0.0.1:%d   tls=none id=free
                """.formatted(shaped.port(), free.port()));
        james = InProcessJames.start(home);
        james.webAdmin().addDomain("example.com");
    }

    @AfterAll
    static void stop() throws Exception {
        if (james != null) {
            james.close();
        }
        shaped.close();
        free.close();
        relay.close();
    }

    private static List<Instant> arrivalTimes(TestSmtpServer server) {
        return server.received().stream().map(TestSmtpServer.Received::at).sorted(Comparator.naturalOrder()).toList();
    }

    private static void assertEvenlyPaced(String destination, List<Instant> arrivals) {
        Duration span = Duration.between(arrivals.get(0), arrivals.get(MESSAGES - 1));
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < MESSAGES; i++) {
            gaps.add(Duration.between(arrivals.get(i - 1), arrivals.get(i)).toMillis());
        }
        System.out.println("RateShapingIT: " + destination + ": " + MESSAGES + " messages at 120/m from first to last in " + span.toMillis()
            + " ms, gaps " + gaps.stream().mapToLong(Long::longValue).min().orElse(0) + " to "
            + gaps.stream().mapToLong(Long::longValue).max().orElse(0) + " ms");
        assertThat(span).as(destination + ": 20 intervals of 500 ms, ± 10 %").isBetween(Duration.ofMillis(9000), Duration.ofMillis(11000));
        assertThat(gaps).as(destination + ": evenly spaced, not in bursts").allMatch(gap -> gap >= 250);
    }

    @Test
    void shapedDestinationsGetTheirRateWhileAnotherFlowsAtFullSpeed() throws Exception {
        java.util.Map<String, Instant> sentToFree = new java.util.HashMap<>();
        for (int i = 0; i < MESSAGES; i++) {
            ItSupport.send(james, "someone@example.com", "s" + i + "@shaped.test", "shaped " + i);
            ItSupport.send(james, "someone@example.com", "r" + i + "@elsewhere.test", "relayed " + i);
            Instant sent = Instant.now();
            sentToFree.put(ItSupport.send(james, "someone@example.com", "f" + i + "@free.test", "free " + i), sent);
        }

        ItSupport.await("all at the shaped peers", () -> shaped.received().size() == MESSAGES && relay.received().size() == MESSAGES
            ? true : null);
        ItSupport.awaitSettled(james.webAdmin());

        assertEvenlyPaced("route shaped", arrivalTimes(shaped));
        assertEvenlyPaced("smart host", arrivalTimes(relay));
        assertThat(free.received()).hasSize(MESSAGES);
        for (TestSmtpServer.Received received : free.received()) {
            Instant sent = sentToFree.get(received.header("Message-ID").orElseThrow());
            assertThat(Duration.between(sent, received.at())).as("the unshaped route is not slowed by the shaped one")
                .isLessThan(Duration.ofSeconds(3));
        }
        JsonNode status = JSON.readTree(james.webAdmin().get("/routing/status").body());
        assertThat(status.path("waitingForRateSlot").size()).as("nothing left waiting in memory").isZero();
        assertThat(JSON.readTree(james.webAdmin().get("/routing/routes/shaped").body()).path("rate").asText()).isEqualTo("120/m");
        assertThat(JSON.readTree(james.webAdmin().get("/routing/explain?address=x@elsewhere.test").body()).path("rate").asText())
            .isEqualTo("120/m (<destinationRates>: smart host)");
        assertThat(JSON.readTree(james.webAdmin().get("/routing/explain?address=x@shaped.test").body()).path("rate").asText())
            .isEqualTo("120/m (route shaped)");
    }
}
