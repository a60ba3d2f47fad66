package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.jamesrouting.testing.Dnsmasq;
import org.jamesrouting.testing.PostfixPeer;
import org.jamesrouting.testing.TestPki;
import org.jamesrouting.testing.TestPorts;
import org.jamesrouting.testing.TestSmtpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Postfix (Debian's, independently written) as the next hop: a relay with STARTTLS (a test
 * CA) and SASL that offers AUTH only inside TLS, and a plain MX without STARTTLS. Each relays
 * what it accepts to a recording server, so the Received: line Postfix wrote shows how it got it.
 */
class PostfixPeerIT {
    @TempDir
    static Path directory;
    static InProcessJames james;
    static Dnsmasq dns;
    static TestSmtpServer behindRelay;
    static TestSmtpServer behindMx;
    static PostfixPeer relay;
    static PostfixPeer plainMx;

    @BeforeAll
    static void start() throws Exception {
        TestPki pki = TestPki.create(directory.resolve("pki"), "relay.test");
        behindRelay = TestSmtpServer.start();
        behindMx = TestSmtpServer.start();
        relay = PostfixPeer.relay(directory.resolve("relay"), TestPorts.free(), "relay.test", pki, "alice", "relay.test", "s3cret",
            behindRelay.port());
        int mxPort = TestPorts.free();
        plainMx = PostfixPeer.plainMx(directory.resolve("mx"), mxPort, "mx.plain.test", behindMx.port());
        dns = Dnsmasq.start(directory, "--host-record=relay.test,127.0.0.1", "--host-record=mx.plain.test,127.0.0.1",
            "--mx-host=plain.test,mx.plain.test,10", "--mx-host=strict.test,mx.plain.test,10");
        JamesHome home = JamesHome.fromProjectConf(directory.resolve("james"))
            .outboundRouter("""
                <routes>file://conf/routes.conf</routes>
                <dnsServers>%s</dnsServers>
                <mxPort>%d</mxPort>
                <mxTlsPolicy>strict.test verify</mxTlsPolicy>
                <truststore>%s</truststore>
                <truststorePassword>%s</truststorePassword>
                <retrySchedule>1s</retrySchedule>
                <connectTimeout>2s</connectTimeout>
                <commandTimeout>10s</commandTimeout>
                """.formatted(dns.server(), mxPort, pki.trustStore(), TestPki.PASSWORD))
            .routes("""
                far.example     relay.test:%d       tls=verify auth=alice@relay.test password=s3cret
                clear.example   127.0.0.1:%d        auth=alice@relay.test password=s3cret
                """.formatted(relay.port(), mxPort));
        james = InProcessJames.start(home);
        james.webAdmin().addDomain("example.com");
        james.webAdmin().addUser("carol@example.com", "carolpass");
    }

    @AfterAll
    static void stop() throws Exception {
        if (james != null) {
            james.close();
        }
        for (AutoCloseable closeable : new AutoCloseable[] {relay, plainMx, dns, behindRelay, behindMx}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    @Test
    void postfixAsSmartHostGetsCredentialsOnlyInsideVerifiedTls() throws Exception {
        String id = ItSupport.send(james, "carol@example.com", "bob@far.example", "through Postfix");

        TestSmtpServer.Received received = ItSupport.await("the mail through Postfix", () -> behindRelay.received().stream()
            .filter(r -> r.header("Message-ID").orElse("").equals(id)).findFirst().orElse(null));
        assertThat(received.content()).containsPattern("with ESMTPSA .*|\\(using TLSv1\\.[23]")
            .contains("ESMTPSA").contains("using TLSv1.");
        assertThat(relay.maillog()).contains("sasl_username=alice@relay.test");
    }

    @Test
    void credentialsAreWithheldFromPostfixWithoutStartTls() throws Exception {
        ItSupport.send(james, "carol@example.com", "dave@clear.example", "no TLS, no password");

        ItSupport.await("the withheld login in the status", () ->
            james.webAdmin().get("/routing/status").body().contains("offered no STARTTLS; credentials are only sent over TLS") ? true : null);
        ItSupport.await("Postfix's log of the session", () -> plainMx.maillog().contains("disconnect from") ? true : null);
        assertThat(plainMx.maillog()).as("Postfix counts the commands of each session: no AUTH among them").doesNotContain("auth=");
        assertThat(behindMx.received()).noneMatch(r -> r.recipients().contains("dave@clear.example"));
    }

    @Test
    void directMxToPostfixWithoutStartTlsIsPlainAtMayAndDeferredAtVerify() throws Exception {
        String id = ItSupport.send(james, "carol@example.com", "erin@plain.test", "plain MX");
        ItSupport.await("the mail through the plain MX", () -> behindMx.received().stream()
            .anyMatch(r -> r.header("Message-ID").orElse("").equals(id)) ? true : null);

        ItSupport.send(james, "carol@example.com", "frank@strict.test", "verify or nothing");
        ItSupport.await("the deferral for strict.test", () ->
            james.webAdmin().get("/routing/status").body().contains("offered no STARTTLS, which tls=verify requires") ? true : null);
        assertThat(behindMx.received()).noneMatch(r -> r.recipients().contains("frank@strict.test"));
    }
}
