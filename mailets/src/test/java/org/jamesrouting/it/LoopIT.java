package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.jamesrouting.testing.Dnsmasq;
import org.jamesrouting.testing.TestSmtpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mail loops are refused at once with a DSN 5.4.6, as Postfix does: a route to our own SMTP
 * port, an MX that points at us, and a message that has crossed too many hops.
 */
class LoopIT {
    @TempDir
    static Path directory;
    static InProcessJames james;
    static Dnsmasq dns;
    static TestSmtpServer peer;

    @BeforeAll
    static void start() throws Exception {
        peer = TestSmtpServer.start();
        dns = Dnsmasq.start(directory, "--mx-host=loopmx.test,mx.loopmx.test,10", "--host-record=mx.loopmx.test,127.0.0.1");
        JamesHome home = JamesHome.fromProjectConf(directory.resolve("james"));
        home.outboundRouter("""
                <routes>file://conf/routes.conf</routes>
                <dnsServers>%s</dnsServers>
                <mxPort>%d</mxPort>
                <maxHops>20</maxHops>
                <retrySchedule>1s</retrySchedule>
                <connectTimeout>2s</connectTimeout>
                <commandTimeout>10s</commandTimeout>
                """.formatted(dns.server(), home.smtpPort()))
            .routes("""
                loop.test   127.0.0.1:%d   tls=none
                peer.test   127.0.0.1:%d   tls=none
                """.formatted(home.smtpPort(), peer.port()));
        james = InProcessJames.start(home);
        james.webAdmin().addDomain("example.com");
        james.webAdmin().addUser("alice@example.com", "alicepass");
    }

    @AfterAll
    static void stop() throws Exception {
        if (james != null) {
            james.close();
        }
        for (AutoCloseable closeable : new AutoCloseable[] {dns, peer}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    @Test
    void aRouteToOurOwnSmtpPortBouncesAtOnce() throws Exception {
        ItSupport.send(james, "alice@example.com", "bob@loop.test", "route to myself");

        String status = ItSupport.awaitDsnFor(james.mailboxes(), "alice@example.com", "alicepass", "bob@loop.test");
        assertThat(status).contains("Action: failed", "Status: 5.4.6", "mail for loop.test loops back to myself")
            .contains("Reporting-MTA: dns; james-routing.localhost");
        ItSupport.awaitSettled(james.webAdmin());
        long dsns = james.mailboxes().inbox("alice@example.com", "alicepass").stream().filter(message -> {
            try {
                return ItSupport.deliveryStatus(message).orElse("").contains("bob@loop.test");
            } catch (Exception e) {
                return false;
            }
        }).count();
        assertThat(dsns).as("one DSN, not one per round of a loop").isEqualTo(1);
    }

    @Test
    void anMxPointingAtUsBouncesAtOnce() throws Exception {
        ItSupport.send(james, "alice@example.com", "carol@loopmx.test", "MX is myself");

        String status = ItSupport.awaitDsnFor(james.mailboxes(), "alice@example.com", "alicepass", "carol@loopmx.test");
        assertThat(status).contains("Status: 5.4.6", "mail for loopmx.test loops back to myself");
    }

    @Test
    void tooManyHopsBouncesWithoutSending() throws Exception {
        StringBuilder message = new StringBuilder();
        for (int i = 0; i < 25; i++) {
            message.append("Received: from hop").append(i).append(".example.net by hop").append(i + 1).append(".example.net; Wed, 2 Dec 2026 10:00:00 +0000\r\n");
        }
        message.append(SmtpTestClient.message("alice@example.com", "dave@peer.test", "hops"));
        SmtpTestClient.Transaction transaction = james.send("alice@example.com", List.of("dave@peer.test"), message.toString());
        assertThat(transaction.dataReply().code()).isEqualTo(250);

        String status = ItSupport.awaitDsnFor(james.mailboxes(), "alice@example.com", "alicepass", "dave@peer.test");
        assertThat(status).contains("Status: 5.4.6", "too many hops");
        ItSupport.send(james, "alice@example.com", "erin@peer.test", "few hops");
        ItSupport.await("the next mail at the peer", () -> peer.received().stream().anyMatch(r -> r.recipients().contains("erin@peer.test")) ? true : null);
        assertThat(peer.received()).noneMatch(received -> received.recipients().contains("dave@peer.test"));
    }
}
