package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.jamesrouting.testing.Dnsmasq;
import org.jamesrouting.testing.TestSmtpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The dynamic routing table through webadmin, on a real James delivering to real SMTP peers:
 * every call and its errors, live changes that steer the next message, explain, the DNS cache.
 */
class RoutingWebAdminIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path directory;
    static Dnsmasq dns;
    static InProcessJames james;
    static WebAdminClient webAdmin;
    static TestSmtpServer smart;
    static TestSmtpServer peerA;
    static TestSmtpServer peerB;

    @BeforeAll
    static void start() throws Exception {
        org.jamesrouting.testing.TestTls tls = org.jamesrouting.testing.TestTls.create(
            java.nio.file.Files.createDirectories(directory.resolve("tls")));
        smart = TestSmtpServer.start().requireAuth("relay", "top-secret-pass").offerStartTls(tls.serverContext());
        peerA = TestSmtpServer.start();
        peerB = TestSmtpServer.start();
        dns = Dnsmasq.start(directory, "--host-record=peer-a.dyn.test,127.0.0.1");
        JamesHome home = JamesHome.fromProjectConf(directory.resolve("james"))
            .outboundRouter("""
                <smarthost>127.0.0.1:%d tls=encrypt auth=relay password=top-secret-pass</smarthost>
                <routes>file://conf/routes.conf</routes>
                <dnsServers>%s</dnsServers>
                <retrySchedule>1s</retrySchedule>
                """.formatted(smart.port(), dns.server()))
            .routes("static.test 127.0.0.1:%d tls=none id=static-one\n".formatted(peerB.port()));
        james = InProcessJames.start(home);
        webAdmin = james.webAdmin();
        webAdmin.addDomain("example.com");
    }

    @AfterAll
    static void stop() throws Exception {
        if (james != null) {
            james.close();
        }
        for (AutoCloseable closeable : new AutoCloseable[] {dns, smart, peerA, peerB}) {
            closeable.close();
        }
    }

    private static JsonNode json(WebAdminClient.Response response) throws Exception {
        return JSON.readTree(response.body());
    }

    private static WebAdminClient.Response post(String path, String body) throws Exception {
        return webAdmin.request("POST", path, body);
    }

    private static String addRoute(String body) throws Exception {
        WebAdminClient.Response response = post("/routing/routes", body);
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return json(response).get("id").asText();
    }

    private static String send(String recipient) throws Exception {
        String message = SmtpTestClient.message("someone@example.com", recipient, "routing " + recipient);
        try (SmtpTestClient smtp = james.smtp()) {
            assertThat(smtp.send("someone@example.com", List.of(recipient), message).dataReply().code()).isEqualTo(250);
        }
        return SmtpTestClient.messageId(message);
    }

    private static TestSmtpServer awaitWhere(String messageId) throws Exception {
        return ItSupport.await(messageId, () -> Stream.of(smart, peerA, peerB)
            .filter(server -> count(server, messageId) > 0).findFirst().orElse(null));
    }

    private static long count(TestSmtpServer server, String messageId) {
        return server.received().stream().filter(received -> received.header("Message-ID").orElse("").equals(messageId)).count();
    }

    @Test
    void everyCallAndItsErrorsLeaveTheTableAsItShouldBe() throws Exception {
        JsonNode initial = json(webAdmin.get("/routing/routes"));
        assertThat(initial.get(0).get("id").asText()).isEqualTo("static-one");
        assertThat(initial.get(0).get("source").asText()).isEqualTo("static");

        WebAdminClient.Response created = post("/routing/routes",
            "{\"pattern\":\"crud.test\",\"hosts\":[\"127.0.0.1:2999\"],\"tls\":\"implicit\",\"username\":\"u\",\"password\":\"p4ss\",\"comment\":\"c\"}");
        assertThat(created.status()).isEqualTo(201);
        JsonNode route = json(created);
        String id = route.get("id").asText();
        assertThat(route.get("source").asText()).isEqualTo("dynamic");
        assertThat(route.get("tls").asText()).isEqualTo("implicit");
        assertThat(route.get("username").asText()).isEqualTo("u");
        assertThat(created.body()).doesNotContain("p4ss").doesNotContain("password");
        assertThat(webAdmin.get("/routing/routes").body()).doesNotContain("p4ss");
        String table = webAdmin.get("/routing/routes").body();

        for (String bad : List.of("{\"pattern\":\"sales*@\",\"hosts\":[\"a\"]}", "{\"pattern\":\"a.test\",\"hosts\":[\"a:0\"]}",
            "{\"pattern\":\"a.test\"}", "{\"pattern\":\"a.test\",\"hosts\":[\"a\"],\"tls\":\"maybe\"}", "not json",
            "{\"pattern\":\"a.test\",\"hosts\":[\"a\"],\"colour\":\"red\"}", "{\"pattern\":\"a.test\",\"hosts\":[\"a\"],\"position\":1}")) {
            WebAdminClient.Response refused = post("/routing/routes", bad);
            assertThat(refused.status()).as(bad).isIn(400, 409);
            assertThat(json(refused).get("statusCode").asInt()).isEqualTo(refused.status());
            assertThat(json(refused).get("message").asText()).isNotBlank();
        }
        WebAdminClient.Response inClear = post("/routing/routes",
            "{\"pattern\":\"a.test\",\"hosts\":[\"a\"],\"tls\":\"none\",\"username\":\"u\",\"password\":\"p4ss\"}");
        assertThat(inClear.status()).isEqualTo(400);
        assertThat(json(inClear).get("message").asText()).contains("credentials are only sent over TLS");
        assertThat(inClear.body()).doesNotContain("p4ss");
        WebAdminClient.Response badPattern = post("/routing/routes", "{\"pattern\":\"sales*@\",\"hosts\":[\"a\"]}");
        assertThat(json(badPattern).get("type").asText()).isEqualTo("InvalidArgument");
        assertThat(json(badPattern).get("message").asText()).contains("'sales*@'");
        assertThat(webAdmin.get("/routing/routes").body()).as("refused changes leave the table unchanged").isEqualTo(table);

        assertThat(webAdmin.request("PUT", "/routing/routes/nope", "{\"pattern\":\"a.test\",\"hosts\":[\"a\"]}").status()).isEqualTo(404);
        assertThat(webAdmin.request("DELETE", "/routing/routes/static-one", null).status()).isEqualTo(409);
        assertThat(post("/routing/routes/" + id + "/move?to=1", null).status()).isEqualTo(409);
        assertThat(post("/routing/routes/" + id + "/move?to=abc", null).status()).isEqualTo(400);
        assertThat(post("/routing/routes/nope/move?to=2", null).status()).isEqualTo(404);

        WebAdminClient.Response replaced = webAdmin.request("PUT", "/routing/routes/" + id, "{\"pattern\":\"crud2.test\",\"hosts\":[\"b\"]}");
        assertThat(replaced.status()).isEqualTo(200);
        assertThat(json(replaced).get("pattern").asText()).isEqualTo("crud2.test");
        assertThat(webAdmin.request("DELETE", "/routing/routes/" + id, null).status()).isEqualTo(204);
        assertThat(webAdmin.get("/routing/routes/" + id).status()).isEqualTo(404);
    }

    @Test
    void aRouteAddedOrMovedLiveSteersTheNextMessage() throws Exception {
        String wide = addRoute("{\"pattern\":\"*.live.test\",\"hosts\":[\"127.0.0.1:" + peerA.port() + "\"],\"tls\":\"none\"}");
        assertThat(awaitWhere(send("x@mail.live.test"))).isSameAs(peerA);

        String narrow = addRoute("{\"pattern\":\"x@mail.live.test\",\"hosts\":[\"127.0.0.1:" + peerB.port() + "\"],\"tls\":\"none\"}");
        assertThat(awaitWhere(send("x@mail.live.test"))).as("the wider route still comes first").isSameAs(peerA);

        int widePosition = json(webAdmin.get("/routing/routes/" + wide)).get("position").asInt();
        assertThat(post("/routing/routes/" + narrow + "/move?to=" + widePosition, null).status()).isEqualTo(200);
        assertThat(awaitWhere(send("x@mail.live.test"))).isSameAs(peerB);
        assertThat(awaitWhere(send("y@mail.live.test"))).isSameAs(peerA);

        webAdmin.request("DELETE", "/routing/routes/" + narrow, null);
        webAdmin.request("DELETE", "/routing/routes/" + wide, null);
        assertThat(awaitWhere(send("x@mail.live.test"))).as("no route: the smart host").isSameAs(smart);
    }

    @Test
    void explainSaysWhichWayAndWhy() throws Exception {
        String id = addRoute("{\"pattern\":\".explain.test\",\"hosts\":[\"peer-a.dyn.test:" + peerA.port() + "\"],\"tls\":\"none\"}");

        JsonNode routed = json(webAdmin.get("/routing/explain?address=Bob@Shop.Explain.Test"));
        assertThat(routed.get("local").asBoolean()).isFalse();
        assertThat(routed.get("route").get("id").asText()).isEqualTo(id);
        assertThat(routed.get("reason").asText()).contains("'.explain.test'").contains("if its hosts cannot take it now: the smart host").doesNotContain("null");
        JsonNode hops = routed.get("hops");
        assertThat(hops.get(0).get("host").asText()).isEqualTo("peer-a.dyn.test");
        assertThat(hops.get(0).get("addresses").get(0).asText()).isEqualTo("127.0.0.1");
        assertThat(hops.get(0).get("via").asText()).isEqualTo("route");
        assertThat(hops.get(1).get("via").asText()).isEqualTo("smarthost");
        assertThat(hops.get(0).get("tls").asText()).startsWith("none: plain");
        assertThat(hops.get(1).get("tls").asText()).startsWith("encrypt: TLS required, certificate not checked")
            .endsWith("AUTH as relay only over TLS");

        JsonNode local = json(webAdmin.get("/routing/explain?address=bob@example.com"));
        assertThat(local.get("local").asBoolean()).isTrue();
        assertThat(local.get("hops")).isEmpty();
        assertThat(webAdmin.get("/routing/explain?address=not-an-address").status()).isEqualTo(400);
        assertThat(webAdmin.get("/routing/explain").status()).isEqualTo(400);

        JsonNode cached = json(webAdmin.get("/routing/dns-cache?domain=dyn.test"));
        assertThat(cached.findValuesAsText("name")).contains("peer-a.dyn.test");
        assertThat(json(webAdmin.request("DELETE", "/routing/dns-cache/dyn.test", null)).get("flushed").asInt()).isEqualTo(1);
        assertThat(json(webAdmin.get("/routing/dns-cache?domain=dyn.test"))).isEmpty();
        webAdmin.request("DELETE", "/routing/routes/" + id, null);
    }

    @Test
    void whatAWebPageCouldSendIsRefused() throws Exception {
        int port = james.home().webAdminPort();
        WebAdminClient.Response rebound = webAdmin.raw("GET", "/routing/routes", java.util.Map.of("Host", "evil.example:" + port));
        assertThat(rebound.status()).isEqualTo(403);
        assertThat(json(rebound).get("message").asText()).contains("is not this server's address");
        assertThat(webAdmin.raw("GET", "/domains", java.util.Map.of("Host", "evil.example")).status())
            .as("every webadmin route, not only ours").isEqualTo(403);
        assertThat(webAdmin.raw("GET", "/routing/routes", java.util.Map.of("Host", "127.0.0.1:" + port)).status()).isEqualTo(200);
        assertThat(webAdmin.raw("GET", "/routing/routes", java.util.Map.of("Host", "node-a.cluster.example:" + port,
            "Authorization", "Bearer any")).status()).as("a token, not the name, decides (no JWT here: any token passes)").isEqualTo(200);
        assertThat(webAdmin.raw("GET", "/routing/routes", java.util.Map.of("Host", "localhost:" + port)).status()).isEqualTo(200);

        String table = webAdmin.get("/routing/routes").body();
        WebAdminClient.Response formPost = webAdmin.raw("POST", "/routing/static/reload",
            java.util.Map.of("Host", "127.0.0.1:" + port, "Content-Type", "application/x-www-form-urlencoded"));
        assertThat(formPost.status()).isEqualTo(415);
        assertThat(json(formPost).get("message").asText()).contains("Content-Type: application/json");
        assertThat(webAdmin.raw("DELETE", "/routing/dns-cache", java.util.Map.of("Host", "127.0.0.1:" + port)).status()).isEqualTo(415);
        assertThat(webAdmin.get("/routing/routes").body()).isEqualTo(table);
        assertThat(webAdmin.request("POST", "/routing/static/reload", null).status()).as("with the JSON content type").isEqualTo(200);
    }

    @Test
    void theSmartHostViewMasksThePassword() throws Exception {
        WebAdminClient.Response response = webAdmin.get("/routing/smarthost");

        assertThat(response.status()).isEqualTo(200);
        assertThat(json(response).get("primary").get("hosts").get(0).asText()).isEqualTo("127.0.0.1:" + smart.port());
        assertThat(json(response).get("primary").get("password").asText()).isEqualTo("****");
        assertThat(response.body()).doesNotContain("top-secret-pass");
    }

    @Test
    void aTableChangeUnderASteadyStreamLosesAndDuplicatesNothing() throws Exception {
        String id = addRoute("{\"pattern\":\"stream.test\",\"hosts\":[\"127.0.0.1:" + peerA.port() + "\"],\"tls\":\"none\"}");
        int messages = 40;
        ExecutorService sender = Executors.newSingleThreadExecutor();
        Future<List<String>> sent = sender.submit(() -> {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < messages; i++) {
                ids.add(send("n" + i + "@stream.test"));
            }
            return ids;
        });
        ItSupport.await("some messages at peer A", () -> peerA.received().stream()
            .anyMatch(received -> received.recipients().get(0).endsWith("@stream.test")) ? true : null);
        assertThat(webAdmin.request("PUT", "/routing/routes/" + id,
            "{\"pattern\":\"stream.test\",\"hosts\":[\"127.0.0.1:" + peerB.port() + "\"],\"tls\":\"none\"}").status()).isEqualTo(200);
        List<String> ids = sent.get();
        sender.shutdown();

        for (String messageId : ids) {
            ItSupport.await(messageId, () -> count(peerA, messageId) + count(peerB, messageId) > 0 ? true : null);
        }
        ItSupport.awaitSettled(webAdmin);
        for (String messageId : ids) {
            assertThat(count(peerA, messageId) + count(peerB, messageId) + count(smart, messageId)).as(messageId).isEqualTo(1);
        }
        assertThat(ids.stream().filter(messageId -> count(peerB, messageId) > 0)).as("the change took effect").isNotEmpty();
        webAdmin.request("DELETE", "/routing/routes/" + id, null);
    }
}
