package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.jamesrouting.testing.Dnsmasq;
import org.jamesrouting.testing.TestSmtpServer;
import org.jamesrouting.testing.TestSmtpServer.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Direct MX delivery (no smart host): a real James asks a real DNS server (dnsmasq on a
 * loopback port, as dnsServers says) and delivers to real SMTP peers on 127.0.0.21-23.
 */
class DirectMxDeliveryIT {
    @TempDir
    static Path directory;
    static Dnsmasq dns;
    static InProcessJames james;
    static int mxPort;
    static TestSmtpServer mx1;
    static TestSmtpServer mx2;
    static TestSmtpServer aHost;

    @BeforeAll
    static void start() throws Exception {
        mxPort = JamesHome.freePort();
        mx1 = TestSmtpServer.start("127.0.0.21", mxPort);
        mx2 = TestSmtpServer.start("127.0.0.22", mxPort);
        aHost = TestSmtpServer.start("127.0.0.23", mxPort);
        dns = Dnsmasq.start(directory,
            "--mx-host=dest.test,mx1.dest.test,10", "--mx-host=dest.test,mx2.dest.test,20",
            "--host-record=mx1.dest.test,127.0.0.21", "--host-record=mx2.dest.test,127.0.0.22",
            "--host-record=amx.test,127.0.0.23",
            "--mx-host=nullmx.test,.,0");
        JamesHome home = JamesHome.fromProjectConf(directory.resolve("james"))
            .outboundRouter("""
                <dnsServers>%s</dnsServers>
                <mxPort>%d</mxPort>
                <retrySchedule>1s</retrySchedule>
                <maxAge>1h</maxAge>
                <connectTimeout>2s</connectTimeout>
                """.formatted(dns.server(), mxPort));
        james = InProcessJames.start(home);
        james.webAdmin().addDomain("example.com");
        james.webAdmin().addUser("alice@example.com", "alicepass");
    }

    @AfterAll
    static void stop() throws Exception {
        if (james != null) {
            james.close();
        }
        for (AutoCloseable closeable : new AutoCloseable[] {dns, mx1, mx2, aHost}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    /** Back to accepting everything, and no connection kept from an earlier test (the router reuses them). */
    @AfterEach
    void resetPeers() throws Exception {
        for (TestSmtpServer server : new TestSmtpServer[] {mx1, mx2, aHost}) {
            server.reset();
            server.closeConnections();
        }
    }

    private static String send(String recipient, String subject) throws Exception {
        String message = SmtpTestClient.message("alice@example.com", recipient, subject);
        try (SmtpTestClient smtp = james.smtp()) {
            assertThat(smtp.send("alice@example.com", List.of(recipient), message).dataReply().code()).isEqualTo(250);
        }
        return SmtpTestClient.messageId(message);
    }

    private static TestSmtpServer.Received awaitReceived(TestSmtpServer server, String messageId) throws Exception {
        return ItSupport.await(messageId + " at " + server.address(), () -> server.received().stream()
            .filter(received -> received.header("Message-ID").orElse("").equals(messageId)).findFirst().orElse(null));
    }

    private static boolean got(TestSmtpServer server, String messageId) {
        return server.received().stream().anyMatch(received -> received.header("Message-ID").orElse("").equals(messageId));
    }

    @Test
    void theBestMxGetsTheMail() throws Exception {
        String id = send("bob@dest.test", "best MX");

        assertThat(awaitReceived(mx1, id).recipients()).containsExactly("bob@dest.test");
        assertThat(got(mx2, id)).isFalse();
    }

    @Test
    void theNextMxIsTriedWhenTheBestCannotTakeItNow() throws Exception {
        mx1.reply(Stage.CONNECT, "421 4.3.2 busy");

        String id = send("bob@dest.test", "second MX");

        assertThat(awaitReceived(mx2, id).recipients()).containsExactly("bob@dest.test");
        assertThat(got(mx1, id)).isFalse();
    }

    @Test
    void aDomainWithoutMxIsDeliveredToItsAddress() throws Exception {
        String id = send("bob@amx.test", "A fallback");

        assertThat(awaitReceived(aHost, id).recipients()).containsExactly("bob@amx.test");
    }

    @Test
    void aNullMxDomainBouncesAtOnce() throws Exception {
        send("bob@nullmx.test", "null MX");

        String status = ItSupport.awaitDsnFor(james.mailboxes(), "alice@example.com", "alicepass", "bob@nullmx.test");
        assertThat(status).contains("Status: 5.1.10").contains("null MX");
    }

    @Test
    void aPinnedDomainGoesToItsPinnedHostsInsteadOfItsMx() throws Exception {
        WebAdminClient webAdmin = james.webAdmin();
        WebAdminClient.Response pinned = webAdmin.request("PUT", "/routing/dns-cache/dest.test", "{\"hosts\":[\"127.0.0.23:" + mxPort + "\"]}");
        assertThat(pinned.status()).as(pinned.body()).isEqualTo(200);
        assertThat(webAdmin.get("/routing/dns-cache?domain=dest.test").body()).contains("\"PIN\"").contains("127.0.0.23:" + mxPort);
        assertThat(webAdmin.get("/routing/explain?address=bob@dest.test").body()).contains("pinned in the domain name cache");
        try {
            String id = send("bob@dest.test", "pinned");
            assertThat(awaitReceived(aHost, id).recipients()).containsExactly("bob@dest.test");
            assertThat(got(mx1, id)).isFalse();
        } finally {
            assertThat(webAdmin.request("DELETE", "/routing/dns-cache/dest.test/pin", null).status()).isEqualTo(204);
        }
        assertThat(webAdmin.request("DELETE", "/routing/dns-cache/dest.test/pin", null).status()).isEqualTo(404);
        assertThat(webAdmin.request("PUT", "/routing/dns-cache/dest.test", "{\"hosts\":[\"bad host\"]}").status()).isEqualTo(400);
        String id = send("bob@dest.test", "unpinned");
        assertThat(awaitReceived(mx1, id).recipients()).containsExactly("bob@dest.test");
    }

    @Test
    void aDomainThatDoesNotExistBounces() throws Exception {
        send("bob@missing.test", "NXDOMAIN");

        String status = ItSupport.awaitDsnFor(james.mailboxes(), "alice@example.com", "alicepass", "bob@missing.test");
        assertThat(status).contains("Status: 5.1.2").contains("does not exist");
    }
}
