package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

import org.jamesrouting.testing.TestSmtpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * First attempts from the spool (immediateDeliveries): a message is tried on the spool thread
 * before it is ever put in the outgoing queue, and only what is not delivered then is queued;
 * mail for a destination that has just deferred goes through the queue without a try from the
 * spool (QueueOnlyIT: with immediateDeliveries 0 every message goes through the queue).
 * Counted by /routing/status (firstAttempts) and checked against what reached real peers.
 */
class SpoolFirstAttemptIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path directory;

    static InProcessJames james;
    /** The smart host: defers every recipient. */
    static TestSmtpServer busy;
    /** A route's host: takes everything. */
    static TestSmtpServer partner;

    @BeforeAll
    static void start() throws Exception {
        busy = TestSmtpServer.start().reply(TestSmtpServer.Stage.RCPT, "451 4.3.2 System not accepting network messages");
        partner = TestSmtpServer.start();
        james = InProcessJames.start(JamesHome.fromProjectConf(directory)
            .outboundRouter("""
                <smarthost>127.0.0.1:%d tls=none</smarthost>
                <routes>file://conf/routes.conf</routes>
                <retrySchedule>1h</retrySchedule>
                <connectTimeout>2s</connectTimeout>
                <commandTimeout>5s</commandTimeout>
                """.formatted(busy.port()))
            .routes("partner.test 127.0.0.1:%d tls=none id=partner\n".formatted(partner.port())));
    }

    @AfterAll
    static void stop() throws Exception {
        if (james != null) {
            james.close();
        }
        busy.close();
        partner.close();
    }

    private static JsonNode status(InProcessJames server) throws Exception {
        return JSON.readTree(server.webAdmin().get("/routing/status").body());
    }

    private static long fromSpool(JsonNode status) {
        return status.path("firstAttempts").path("fromSpool").asLong();
    }

    private static long throughQueue(JsonNode status) {
        return status.path("firstAttempts").path("throughQueue").asLong();
    }

    @Test
    void aMessageForAWorkingDestinationIsDeliveredStraightFromTheSpool() throws Exception {
        JsonNode before = status(james);
        String id = ItSupport.send(james, "someone@example.org", "bob@partner.test", "from the spool");
        ItSupport.await("the mail at the route's host", () -> ItSupport.arrivals(partner, id) == 1 ? true : null);
        JsonNode after = status(james);
        assertThat(fromSpool(after) - fromSpool(before)).as("tried from the spool").isEqualTo(1);
        assertThat(throughQueue(after)).as("never through the outgoing queue").isEqualTo(throughQueue(before));
        assertThat(after.path("immediateDeliveries").asInt()).as("the default: destinationConcurrency").isEqualTo(8);
    }

    @Test
    void mailForADestinationThatHasJustDeferredGoesThroughTheQueueWithoutATryFromTheSpool() throws Exception {
        JsonNode before = status(james);
        ItSupport.send(james, "someone@example.org", "a@far.test", "first for the busy smart host");
        ItSupport.await("the first deferral", () -> status(james).path("lastMinute").path("deferred").asInt()
            > before.path("lastMinute").path("deferred").asInt() ? true : null);
        JsonNode afterFirst = status(james);
        assertThat(fromSpool(afterFirst) - fromSpool(before)).as("the first message was tried from the spool").isEqualTo(1);

        ItSupport.send(james, "someone@example.org", "b@far.test", "second for the busy smart host");
        JsonNode queue = ItSupport.await("both in the outgoing queue, tried once each", Duration.ofSeconds(40), () -> {
            JsonNode now = JSON.readTree(james.webAdmin().get("/routing/queue").body());
            return now.path("mails").findValuesAsText("attempts").stream().filter("1"::equals).count() == 2 ? now : null;
        });
        assertThat(queue.path("mails").findValuesAsText("reason")).allMatch(reason -> reason.contains("451 4.3.2"), "the smart host's reply");
        JsonNode after = status(james);
        assertThat(fromSpool(after) - fromSpool(before)).as("the second one was not tried from the spool").isEqualTo(1);
        assertThat(throughQueue(after) - throughQueue(before)).as("the second one's first attempt was made from the queue").isEqualTo(1);
        assertThat(busy.commands().stream().filter(command -> command.startsWith("RCPT")).count()).as("each tried once").isEqualTo(2);
    }
}
