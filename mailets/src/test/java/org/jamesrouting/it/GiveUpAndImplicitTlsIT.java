package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.jamesrouting.testing.TestSmtpServer;
import org.jamesrouting.testing.TestSmtpServer.Stage;
import org.jamesrouting.testing.TestTls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end, through a real James: a recipient deferred until {@code maxAge} has passed gets
 * its sender a DSN (and the mail leaves the queue), and a route with {@code tls=implicit}
 * (port 465 style, TLS from the first byte, certificate verified) delivers.
 */
class GiveUpAndImplicitTlsIT {
    @TempDir
    static Path directory;
    static TestTls tls;
    static TestSmtpServer deferring;
    static TestSmtpServer smtps;
    static InProcessJames james;

    @BeforeAll
    static void start() throws Exception {
        tls = TestTls.create(Files.createDirectories(directory.resolve("tls")));
        deferring = TestSmtpServer.start().reply(Stage.RCPT, "451 4.3.0 mailbox busy, try again");
        smtps = TestSmtpServer.start().implicitTls(tls.serverContext());
        JamesHome home = JamesHome.fromProjectConf(directory.resolve("james"))
            .outboundRouter("""
                <routes>file://conf/routes.conf</routes>
                <truststore>%s</truststore>
                <truststorePassword>%s</truststorePassword>
                <retrySchedule>1s</retrySchedule>
                <maxAge>4s</maxAge>
                <connectTimeout>2s</connectTimeout>
                <commandTimeout>5s</commandTimeout>
                """.formatted(tls.keystore(), TestTls.PASSWORD))
            .routes("""
                busy.test    127.0.0.1:%d   tls=none
                smtps.test   127.0.0.1:%d   tls=implicit
                """.formatted(deferring.port(), smtps.port()));
        james = InProcessJames.start(home);
        james.webAdmin().addDomain("example.com");
        james.webAdmin().addUser("alice@example.com", "alicepass");
    }

    @AfterAll
    static void stop() throws Exception {
        if (james != null) {
            james.close();
        }
        deferring.close();
        smtps.close();
    }

    @Test
    void aRecipientDeferredPastMaxAgeGetsItsSenderADsnAndLeavesTheQueue() throws Exception {
        ItSupport.send(james, "alice@example.com", "someone@busy.test", "always deferred");

        String status = ItSupport.awaitDsnFor(james.mailboxes(), "alice@example.com", "alicepass", "someone@busy.test");
        assertThat(status).contains("Action: failed").contains("Status: 5.3.0")
            .contains("Diagnostic-Code: smtp; 451 4.3.0 mailbox busy, try again");
        assertThat(deferring.commands().stream().filter(command -> command.startsWith("RCPT TO:<someone@busy.test>")).count())
            .as("retried before giving up").isGreaterThanOrEqualTo(2);
        ItSupport.await("the outgoing queue empty", Duration.ofSeconds(30),
            () -> james.webAdmin().get("/mailQueues/outgoing/mails").body().equals("[]") ? true : null);
        assertThat(deferring.received()).isEmpty();
    }

    @Test
    void anImplicitTlsRouteDeliversOverVerifiedTlsFromTheFirstByte() throws Exception {
        String id = ItSupport.send(james, "alice@example.com", "someone@smtps.test", "over implicit TLS");

        ItSupport.await("the message at the SMTPS peer", () -> ItSupport.arrivals(smtps, id) == 1 ? true : null);
        TestSmtpServer.Received received = smtps.received().stream()
            .filter(message -> message.header("Message-ID").orElse("").equals(id)).findFirst().orElseThrow();
        assertThat(received.tls()).isTrue();
        assertThat(received.recipients()).containsExactly("someone@smtps.test");
        assertThat(smtps.commands()).noneMatch(command -> command.startsWith("STARTTLS"));
    }
}
