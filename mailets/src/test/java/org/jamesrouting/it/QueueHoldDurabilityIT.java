package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.jamesrouting.testing.TestSmtpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A hold outlives {@code kill -9}: the server bin/james-routing runs, as a real process, holds
 * the smart host's mail, is killed, starts again on the same working directory — the
 * destination is still on hold and its mail still held, not tried — and the release delivers
 * each message exactly once.
 */
class QueueHoldDurabilityIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path directory;

    private static JsonNode holds(WebAdminClient webAdmin) throws Exception {
        return JSON.readTree(webAdmin.get("/routing/queue/holds").body());
    }

    @Test
    void heldMailSurvivesKillMinus9AndIsDeliveredExactlyOnceWhenReleased() throws Exception {
        try (TestSmtpServer relay = TestSmtpServer.start()) {
            JamesHome home = JamesHome.fromProjectConf(directory).outboundRouter("""
                <smarthost>127.0.0.1:%d tls=none</smarthost>
                <retrySchedule>1s</retrySchedule>
                <connectTimeout>2s</connectTimeout>
                <commandTimeout>10s</commandTimeout>
                """.formatted(relay.port()));
            List<String> ids = new ArrayList<>();
            try (JamesProcess james = JamesProcess.launchRoutingServer(home).awaitStarted()) {
                WebAdminClient webAdmin = new WebAdminClient(home.webAdminPort());
                WebAdminClient.Response hold = webAdmin.request("POST", "/routing/queue/hold?destination=smarthost&reason=relay%20maintenance", null);
                assertThat(hold.status()).as(hold.body()).isEqualTo(200);
                for (int i = 0; i < 5; i++) {
                    String message = SmtpTestClient.message("someone@example.com", "r" + i + "@remote.test", "held " + i);
                    try (SmtpTestClient smtp = SmtpTestClient.connect(home.smtpPort())) {
                        assertThat(smtp.send("someone@example.com", List.of("r" + i + "@remote.test"), message).dataReply().code()).isEqualTo(250);
                    }
                    ids.add(SmtpTestClient.messageId(message));
                }
                ItSupport.await("5 held for the smart host", () -> holds(webAdmin).path(0).path("held").asLong() == 5 ? true : null);
                james.kill();
            }
            assertThat(relay.connections()).as("nothing tried while held").isZero();

            try (JamesProcess restarted = JamesProcess.launchRoutingServer(home).awaitStarted()) {
                WebAdminClient webAdmin = new WebAdminClient(home.webAdminPort());
                JsonNode holds = holds(webAdmin);
                assertThat(holds).hasSize(1);
                assertThat(holds.get(0).path("destination").asText()).isEqualTo("smart host");
                assertThat(holds.get(0).path("reason").asText()).isEqualTo("relay maintenance");
                assertThat(holds.get(0).path("held").asLong()).isEqualTo(5);
                ItSupport.awaitSettled(webAdmin);
                assertThat(relay.connections()).as("nothing tried after the restart either").isZero();

                WebAdminClient.Response release = webAdmin.request("POST", "/routing/queue/release?destination=smart%20host", null);

                assertThat(release.status()).as(release.body()).isEqualTo(200);
                assertThat(JSON.readTree(release.body()).path("done")).hasSize(5);
                ItSupport.await("all 5 at the relay", () -> ids.stream().allMatch(id -> ItSupport.arrivals(relay, id) >= 1) ? true : null);
                ItSupport.awaitSettled(webAdmin);
                for (String id : ids) {
                    assertThat(ItSupport.arrivals(relay, id)).as(id).isEqualTo(1);
                }
                assertThat(holds(webAdmin)).isEmpty();
                assertThat(JSON.readTree(webAdmin.get("/routing/queue").body()).path("held")).isEmpty();
            }
        }
    }
}
