package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.jamesrouting.testing.TestSmtpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A greylisting relay (451 4.7.1 Greylisted until 2 s after the first try, as postgrey does)
 * gets the mail on a retry seconds later, although the retry schedule says one hour; a plain
 * 4xx waits for the schedule.
 */
class GreylistingIT {
    @TempDir
    static Path directory;

    static InProcessJames james;
    static TestSmtpServer greylisting;
    static TestSmtpServer plain;

    @BeforeAll
    static void start() throws Exception {
        greylisting = TestSmtpServer.start().greylist(Duration.ofSeconds(2));
        plain = TestSmtpServer.start().reply(TestSmtpServer.Stage.RCPT, "451 4.3.0 Mailbox database busy");
        JamesHome home = JamesHome.fromProjectConf(directory.resolve("james"))
            .outboundRouter("""
                <routes>file://conf/routes.conf</routes>
                <retrySchedule>1h</retrySchedule>
                <greylistRetry>3s</greylistRetry>
                <connectTimeout>2s</connectTimeout>
                <commandTimeout>5s</commandTimeout>
                """)
            .routes("""
                grey.test    127.0.0.1:%d  tls=none
                plain.test   127.0.0.1:%d  tls=none
                """.formatted(greylisting.port(), plain.port()));
        james = InProcessJames.start(home);
    }

    @AfterAll
    static void stop() throws Exception {
        if (james != null) {
            james.close();
        }
        greylisting.close();
        plain.close();
    }

    @Test
    void aGreylistedMailIsRetriedSoonAndAPlainDeferralWaitsForTheSchedule() throws Exception {
        String grey = SmtpTestClient.message("someone@example.org", "bob@grey.test", "greylisted");
        String other = SmtpTestClient.message("someone@example.org", "bob@plain.test", "busy");
        assertThat(james.send("someone@example.org", List.of("bob@grey.test"), grey).dataReply().code()).isEqualTo(250);
        assertThat(james.send("someone@example.org", List.of("bob@plain.test"), other).dataReply().code()).isEqualTo(250);

        long start = System.nanoTime();
        String greyId = SmtpTestClient.messageId(grey);
        ItSupport.await("the greylisted mail delivered", Duration.ofSeconds(60), () -> greylisting.received().stream()
            .anyMatch(received -> received.header("Message-ID").orElse("").equals(greyId)) ? true : null);
        System.out.println("GreylistingIT: delivered " + Duration.ofNanos(System.nanoTime() - start).toMillis()
            + " ms after a greylisting refusal, with a 1 h retry schedule");

        assertThat(plain.received()).isEmpty();
        assertThat(plain.commands().stream().filter(command -> command.startsWith("RCPT")).count())
            .as("the plain 4xx was tried once, then waits an hour").isEqualTo(1);
    }
}
