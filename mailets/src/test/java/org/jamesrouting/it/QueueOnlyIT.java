package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.jamesrouting.testing.TestSmtpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** immediateDeliveries 0: no first attempt from the spool, every message through the outgoing queue. */
class QueueOnlyIT {
    @TempDir
    Path directory;

    @Test
    void withImmediateDeliveriesZeroEveryMessageGoesThroughTheQueue() throws Exception {
        try (TestSmtpServer smart = TestSmtpServer.start();
             InProcessJames james = InProcessJames.start(JamesHome.fromProjectConf(directory)
                 .outboundRouter("""
                     <smarthost>127.0.0.1:%d tls=none</smarthost>
                     <immediateDeliveries>0</immediateDeliveries>
                     <retrySchedule>1h</retrySchedule>
                     """.formatted(smart.port())))) {
            String first = ItSupport.send(james, "someone@example.org", "c@far.test", "queue only 1");
            String second = ItSupport.send(james, "someone@example.org", "d@far.test", "queue only 2");
            ItSupport.await("both at the smart host", () ->
                ItSupport.arrivals(smart, first) == 1 && ItSupport.arrivals(smart, second) == 1 ? true : null);
            JsonNode status = new ObjectMapper().readTree(james.webAdmin().get("/routing/status").body());
            assertThat(status.path("immediateDeliveries").asInt()).isZero();
            assertThat(status.path("firstAttempts").path("fromSpool").asLong()).isZero();
            assertThat(status.path("firstAttempts").path("throughQueue").asLong()).isEqualTo(2);
        }
    }
}
