package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.jamesrouting.testing.Dnsmasq;
import org.jamesrouting.testing.TestSmtpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Route next-hop kinds and identities through a real James, a real DNS server (dnsmasq) and
 * peers on two loopback addresses. With a smart host configured: {@code partner.test mx} goes
 * straight to partner.test's MX, {@code hosted.test mx:provider.test} to the MX of the provider
 * that hosts it, {@code news.test default bind=127.0.0.2 helo=news.example.test} to the smart
 * host from 127.0.0.2 saying that EHLO, and a route's own hosts with {@code bind=127.0.0.3};
 * other mail still goes to the smart host from the default address with the default EHLO. A
 * route with hosts weighted 3:1 spreads 100 messages about 3:1 over them.
 */
class RouteKindsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path directory;
    static Dnsmasq dns;
    static TestSmtpServer partnerMx;
    static TestSmtpServer providerMx;
    static TestSmtpServer smarthost;
    static TestSmtpServer own;
    static TestSmtpServer heavy;
    static TestSmtpServer light;
    static InProcessJames james;

    @BeforeAll
    static void start() throws Exception {
        int mxPort = JamesHome.freePort();
        partnerMx = TestSmtpServer.start("127.0.0.51", mxPort);
        providerMx = TestSmtpServer.start("127.0.0.52", mxPort);
        smarthost = TestSmtpServer.start();
        own = TestSmtpServer.start();
        heavy = TestSmtpServer.start();
        light = TestSmtpServer.start();
        dns = Dnsmasq.start(directory,
            "--mx-host=partner.test,mx.partner.test,10", "--host-record=mx.partner.test,127.0.0.51",
            "--mx-host=provider.test,mx.provider.test,10", "--host-record=mx.provider.test,127.0.0.52",
            "--mx-host=hosted.test,mx.partner.test,10");
        JamesHome home = JamesHome.fromProjectConf(directory.resolve("james"))
            .outboundRouter("""
                <routes>file://conf/routes.conf</routes>
                <smarthost>127.0.0.1:%d tls=none</smarthost>
                <dnsServers>%s</dnsServers>
                <mxPort>%d</mxPort>
                <connectTimeout>2s</connectTimeout>
                """.formatted(smarthost.port(), dns.server(), mxPort))
            .routes("""
                partner.test   mx                 id=direct
                hosted.test    mx:provider.test   id=hosted
                news.test      default            id=news bind=127.0.0.2 helo=news.example.test
                own.test       127.0.0.1:%d       tls=none id=own bind=127.0.0.3 helo=own.example.test
                spread.test    127.0.0.1:%d*3,127.0.0.1:%d*1   tls=none id=spread
                """.formatted(own.port(), heavy.port(), light.port()));
        james = InProcessJames.start(home);
    }

    @AfterAll
    static void stop() throws Exception {
        if (james != null) {
            james.close();
        }
        for (AutoCloseable closeable : new AutoCloseable[] {dns, partnerMx, providerMx, smarthost, own, heavy, light}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    private static TestSmtpServer.Received awaitAt(TestSmtpServer peer, String id) throws Exception {
        return ItSupport.await(id + " at " + peer.address(), () -> peer.received().stream()
            .filter(received -> received.header("Message-ID").orElse("").equals(id)).findFirst().orElse(null));
    }

    @Test
    void eachRouteKindGoesWhereItSaysFromWhereItSays() throws Exception {
        String direct = ItSupport.send(james, "someone@example.com", "a@partner.test", "direct to the MX");
        String hosted = ItSupport.send(james, "someone@example.com", "b@hosted.test", "to the provider's MX");
        String news = ItSupport.send(james, "someone@example.com", "c@news.test", "default next hop, own identity");
        String ownHosts = ItSupport.send(james, "someone@example.com", "d@own.test", "own hosts, own identity");
        String other = ItSupport.send(james, "someone@example.com", "e@elsewhere.test", "no route");

        awaitAt(partnerMx, direct);
        awaitAt(providerMx, hosted);
        TestSmtpServer.Received viaSmartHost = awaitAt(smarthost, news);
        TestSmtpServer.Received viaOwn = awaitAt(own, ownHosts);
        TestSmtpServer.Received plain = awaitAt(smarthost, other);
        ItSupport.awaitSettled(james.webAdmin());

        assertThat(ItSupport.arrivals(smarthost, direct) + ItSupport.arrivals(smarthost, hosted)).as("not through the smart host").isZero();
        assertThat(ItSupport.arrivals(partnerMx, hosted)).as("hosted.test's own MX is not used").isZero();
        assertThat(viaSmartHost.clientAddress()).isEqualTo("127.0.0.2");
        assertThat(viaSmartHost.helo()).isEqualTo("news.example.test");
        assertThat(viaOwn.clientAddress()).isEqualTo("127.0.0.3");
        assertThat(viaOwn.helo()).isEqualTo("own.example.test");
        assertThat(plain.clientAddress()).as("everything else from the default").isEqualTo("127.0.0.1");
        assertThat(plain.helo()).isEqualTo("james-routing.localhost");
    }

    @Test
    void explainAndWebadminShowTheKindAndTheResolvedHosts() throws Exception {
        JsonNode direct = JSON.readTree(james.webAdmin().get("/routing/explain?address=x@partner.test").body());
        assertThat(direct.path("route").path("nextHop").asText()).isEqualTo("mx");
        assertThat(direct.path("reason").asText()).contains("direct delivery to the MX of partner.test (no smart host after it)");
        assertThat(direct.path("hops").get(0).path("host").asText()).isEqualTo("mx.partner.test");
        assertThat(direct.path("hops")).hasSize(1);

        JsonNode hosted = JSON.readTree(james.webAdmin().get("/routing/explain?address=x@hosted.test").body());
        assertThat(hosted.path("hops").get(0).path("host").asText()).isEqualTo("mx.provider.test");
        JsonNode news = JSON.readTree(james.webAdmin().get("/routing/routes/news").body());
        assertThat(news.path("nextHop").asText()).isEqualTo("default");
        assertThat(news.path("bind").asText()).isEqualTo("127.0.0.2");
        assertThat(news.path("helo").asText()).isEqualTo("news.example.test");
        assertThat(news.has("hosts")).isFalse();

        WebAdminClient.Response added = james.webAdmin().request("POST", "/routing/routes",
            "{\"pattern\":\"dyn.test\",\"nextHop\":\"mx:provider.test\",\"bind\":\"127.0.0.4\"}");
        assertThat(added.status()).as(added.body()).isEqualTo(201);
        assertThat(JSON.readTree(added.body()).path("nextHop").asText()).isEqualTo("mx:provider.test");
        WebAdminClient.Response unbindable = james.webAdmin().request("POST", "/routing/routes",
            "{\"pattern\":\"bad.test\",\"nextHop\":\"mx\",\"bind\":\"192.0.2.77\"}");
        assertThat(unbindable.status()).isEqualTo(400);
        assertThat(unbindable.body()).contains("bind=192.0.2.77: cannot be bound on this machine");
        WebAdminClient.Response both = james.webAdmin().request("POST", "/routing/routes",
            "{\"pattern\":\"bad.test\",\"nextHop\":\"mx\",\"hosts\":[\"a.test\"]}");
        assertThat(both.status()).isEqualTo(400);
        assertThat(both.body()).contains("either 'hosts' or 'nextHop'");
        assertThat(james.webAdmin().get("/routing/routes").body()).doesNotContain("bad.test");
    }

    @Test
    void weightedHostsShareTheMailInProportion() throws Exception {
        int messages = 100;
        for (int i = 0; i < messages; i++) {
            ItSupport.send(james, "someone@example.com", "u" + i + "@spread.test", "spread " + i);
        }
        ItSupport.await("all at the two hosts", () -> heavy.received().size() + light.received().size() == messages ? true : null);
        ItSupport.awaitSettled(james.webAdmin());

        int toHeavy = heavy.received().size();
        System.out.println("RouteKindsIT: weighted 3:1, " + toHeavy + " to the heavy host, " + light.received().size() + " to the light one");
        // binomial(100, 0.75): mean 75, standard deviation 4.3; below 61 or above 90 is 3.5 deviations away
        assertThat(toHeavy).as("about three quarters").isBetween(61, 90);
        assertThat(heavy.received().size() + light.received().size()).isEqualTo(messages);
        JsonNode explained = JSON.readTree(james.webAdmin().get("/routing/explain?address=x@spread.test").body());
        assertThat(explained.path("hops").get(0).path("note").asText()).contains("weighted 3:1, the order drawn for each delivery");
        assertThat(explained.path("route").path("hosts").get(0).asText()).endsWith("*3");
    }
}
