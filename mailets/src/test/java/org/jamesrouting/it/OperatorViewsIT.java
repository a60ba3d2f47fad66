package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jamesrouting.cli.RoutingCli;
import org.jamesrouting.testing.TestSmtpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Seeing the router work: webadmin /routing/status and /routing/queue, and the CLI's status,
 * queue and queue flush, against a real James whose smart host defers everything (451) while a
 * route delivers.
 */
class OperatorViewsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path directory;

    static InProcessJames james;
    static TestSmtpServer smart;
    static TestSmtpServer routed;
    static String url;

    @BeforeAll
    static void start() throws Exception {
        smart = TestSmtpServer.start().reply(TestSmtpServer.Stage.RCPT, "451 4.3.2 System not accepting network messages");
        routed = TestSmtpServer.start();
        james = InProcessJames.start(JamesHome.fromProjectConf(directory)
            .outboundRouter("""
                <smarthost>127.0.0.1:%d tls=none</smarthost>
                <routes>file://conf/routes.conf</routes>
                <retrySchedule>1h</retrySchedule>
                <connectTimeout>2s</connectTimeout>
                <commandTimeout>5s</commandTimeout>
                """.formatted(smart.port()))
            .routes("routed.test 127.0.0.1:%d tls=none id=partner\n".formatted(routed.port())));
        url = "http://127.0.0.1:" + james.home().webAdminPort();
    }

    @AfterAll
    static void stop() throws Exception {
        james.close();
        smart.close();
        routed.close();
    }

    private static String cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("--url", url));
        all.addAll(List.of(args));
        int exit = RoutingCli.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), Map.of());
        assertThat(exit).as(String.join(" ", args)).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void statusQueueAndFlushOfOneDestination() throws Exception {
        String deferred1 = ItSupport.send(james, "someone@example.org", "a@far.test", "status");
        String deferred2 = ItSupport.send(james, "someone@example.org", "b@far.test", "status");
        String delivered = ItSupport.send(james, "someone@example.org", "c@routed.test", "status");
        ItSupport.await("the routed mail", () -> routed.received().size() == 1 ? true : null);

        JsonNode status = ItSupport.await("two deferrals in the status", Duration.ofSeconds(30), () -> {
            JsonNode now = JSON.readTree(james.webAdmin().get("/routing/status").body());
            return now.path("lastMinute").path("deferred").asInt() >= 2 ? now : null;
        });
        JsonNode smartHost = destination(status, "smart host");
        assertThat(smartHost.path("lastMinute").path("deferred").asInt()).isEqualTo(2);
        assertThat(smartHost.path("queued").asInt()).isEqualTo(2);
        assertThat(smartHost.path("lastProblem").asText()).contains("451", "System not accepting network messages");
        assertThat(destination(status, "route partner").path("lastHour").path("delivered").asInt()).isEqualTo(1);
        assertThat(status.path("queued").asInt()).isEqualTo(2);
        assertThat(status.path("dnsServers").size()).as("the DNS servers in use, with their counts").isPositive();

        JsonNode queue = JSON.readTree(james.webAdmin().get("/routing/queue").body());
        assertThat(queue.path("shape").get(0).path("destination").asText()).isEqualTo("smart host");
        assertThat(queue.path("shape").get(0).path("total").asInt()).isEqualTo(2);
        assertThat(queue.path("mails").findValuesAsText("reason")).allMatch(reason -> reason.contains("451"));
        assertThat(queue.path("mails").findValuesAsText("attempts")).containsOnly("1");

        String statusText = cli("status", "--once");
        assertThat(statusText).contains("DESTINATION", "IN FLIGHT", "smart host", "route partner", "2/2", "451 4.3.2 System not accepting", "DNS ");
        String queueText = cli("queue");
        assertThat(queueText).contains("smart host", "a@far.test", "b@far.test", "5m+");

        smart.reset();
        String flushed = cli("queue", "flush", "smart host");
        assertThat(flushed).contains("flushed 2 mail(s) of smart host");
        ItSupport.await("the flushed mail at the smart host, long before its hour", Duration.ofSeconds(60), () ->
            smart.received().stream().map(received -> received.header("Message-ID").orElse("")).toList()
                .containsAll(List.of(deferred1, deferred2)) ? true : null);
        ItSupport.await("an empty queue", () -> cli("queue").contains("is empty") ? true : null);
        assertThat(routed.received()).hasSize(1);
        assertThat(routed.received().get(0).header("Message-ID")).contains(delivered);
    }

    private static JsonNode destination(JsonNode status, String name) {
        for (JsonNode destination : status.path("destinations")) {
            if (destination.path("destination").asText().equals(name)) {
                return destination;
            }
        }
        throw new AssertionError("no destination " + name + " in " + status);
    }
}
