package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jamesrouting.testing.TestSmtpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A slow destination (every reply 3 s late: about 18 s a message) with a backlog holds at most its
 * destinationConcurrency of the delivery threads: mail for another destination, sent after the
 * backlog, goes out before the slow one has taken a single message.
 */
class FairnessIT {
    @TempDir
    static Path directory;

    static InProcessJames james;
    static TestSmtpServer slow;
    static TestSmtpServer fast;

    @BeforeAll
    static void start() throws Exception {
        slow = TestSmtpServer.start().stall(3000);
        fast = TestSmtpServer.start();
        JamesHome home = JamesHome.fromProjectConf(directory.resolve("james"))
            .outboundRouter("""
                <routes>file://conf/routes.conf</routes>
                <deliveryThreads>4</deliveryThreads>
                <destinationConcurrency>2</destinationConcurrency>
                <retrySchedule>1s</retrySchedule>
                <connectTimeout>2s</connectTimeout>
                <commandTimeout>10s</commandTimeout>
                """)
            .routes("""
                slow.test   127.0.0.1:%d  tls=none
                fast.test   127.0.0.1:%d  tls=none
                """.formatted(slow.port(), fast.port()));
        james = InProcessJames.start(home);
    }

    @AfterAll
    static void stop() throws Exception {
        if (james != null) {
            james.close();
        }
        slow.close();
        fast.close();
    }

    @Test
    void aSlowDestinationsBacklogDoesNotHoldUpOtherDestinations() throws Exception {
        List<String> slowIds = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            slowIds.add(ItSupport.send(james, "someone@example.org", "user" + i + "@slow.test", "slow " + i));
        }
        List<String> fastIds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            fastIds.add(ItSupport.send(james, "someone@example.org", "user" + i + "@fast.test", "fast " + i));
        }

        // without the limit the 4 slow messages would take all 4 threads for 18 s; with it, fast
        // mail goes out at once on the 2 threads left (the third may wait for James's queue,
        // which looks for due mail in windows of up to 10 s)
        ItSupport.await("the fast destination's mail", Duration.ofSeconds(30), () -> fast.received().size() >= 2 ? true : null);
        assertThat(slow.received()).as("fast mail went out while the slow destination was still busy").isEmpty();
        ItSupport.await("all the fast destination's mail", Duration.ofSeconds(60), () -> fast.received().size() >= 3 ? true : null);

        ItSupport.await("the slow destination's backlog", Duration.ofSeconds(120), () -> slow.received().size() >= 4 ? true : null);
        assertThat(slow.mostConcurrentSessions()).as("never more than destinationConcurrency sessions to the slow destination")
            .isLessThanOrEqualTo(2);
        assertThat(slow.received().stream().map(received -> received.header("Message-ID").orElse("")).toList())
            .containsExactlyInAnyOrderElementsOf(slowIds);
        assertThat(fast.received().stream().map(received -> received.header("Message-ID").orElse("")).toList())
            .containsExactlyInAnyOrderElementsOf(fastIds);
    }
}
