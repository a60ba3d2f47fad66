package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.jamesrouting.testing.TestSmtpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * immediateDeliveries 0: no first attempt from the spool, every message through the outgoing
 * queue; counted by the router's status and by James's queue metrics (JMX).
 */
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

            ItSupport.awaitSettled(james.webAdmin());
            assertThat(metric("enqueuedMail:spool", "Count")).as("James's queue metrics, over JMX").isEqualTo(2L);
            assertThat(metric("enqueuedMail:outgoing", "Count")).isEqualTo(2L);
            assertThat(metric("dequeuedMail:outgoing", "Count")).isEqualTo(2L);
            assertThat(metric("enqueueTime:outgoing", "Count")).isEqualTo(2L);
            assertThat(metric("mailQueueSize:outgoing", "Value")).isEqualTo(0L);
        }
    }

    /** A metric of James's metric registry, as JMX shows it (domain "metrics", one MBean per metric). */
    private static long metric(String name, String attribute) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        for (ObjectName bean : server.queryNames(new ObjectName("metrics:*"), null)) {
            String shown = bean.getKeyProperty("name");
            if (shown.equals(name) || shown.equals(ObjectName.quote(name))) {
                return ((Number) server.getAttribute(bean, attribute)).longValue();
            }
        }
        throw new AssertionError("no MBean for metric " + name);
    }
}
