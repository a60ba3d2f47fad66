package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.jamesrouting.testing.CassandraNode;
import org.jamesrouting.testing.TestSmtpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Two James servers without a smart host (our server, as bin/james-routing runs it, each its own process and working
 * directory) sharing one real Cassandra for the dynamic routing table, the pins and the
 * destinations on hold: the set-up of docs/cluster.md.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The watcher asks Cassandra every second; allow for reading and swapping on a busy machine. */
    private static final Duration PROPAGATION_LIMIT = Duration.ofSeconds(2);

    @TempDir
    static Path directory;

    private static CassandraNode cassandra;
    private static TestSmtpServer routed;
    private static TestSmtpServer pinned;
    private static JamesHome homeA;
    private static JamesHome homeB;
    private static JamesProcess nodeA;
    private static JamesProcess nodeB;
    private static WebAdminClient adminA;
    private static WebAdminClient adminB;

    private static JamesHome node(String name) throws Exception {
        JamesHome home = JamesHome.fromProjectConf(directory.resolve(name)).outboundRouter("""
            <retrySchedule>1s</retrySchedule>
            <connectTimeout>2s</connectTimeout>
            <commandTimeout>10s</commandTimeout>
            """);
        home.edit("extensions.properties", text -> text.replace("org.jamesrouting.guice.RoutingExtensionModule",
            "org.jamesrouting.cassandra.CassandraRoutingExtensionModule"));
        Files.writeString(home.directory().resolve("conf/cassandra.properties"), """
            cassandra.nodes=%s
            cassandra.keyspace=james_routing_cluster_it
            cassandra.replication.factor=1
            """.formatted(cassandra.contactPoint()));
        return home;
    }

    @BeforeAll
    static void startCluster() throws Exception {
        cassandra = CassandraNode.shared();
        routed = TestSmtpServer.start();
        pinned = TestSmtpServer.start();
        homeA = node("node-a");
        homeB = node("node-b");
        nodeA = JamesProcess.launchRoutingServer(homeA);
        nodeB = JamesProcess.launchRoutingServer(homeB);
        nodeA.awaitStarted();
        nodeB.awaitStarted();
        adminA = new WebAdminClient(homeA.webAdminPort());
        adminB = new WebAdminClient(homeB.webAdminPort());
    }

    @AfterAll
    static void stopCluster() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {nodeA, nodeB, routed, pinned}) {
            if (closeable != null) {
                closeable.close();
            }
        }
        if (cassandra != null && !cassandra.running()) {
            cassandra.start();
        }
    }

    private static String send(JamesHome home, String recipient, String subject) throws Exception {
        String message = SmtpTestClient.message("someone@example.com", recipient, subject);
        try (SmtpTestClient smtp = SmtpTestClient.connect(home.smtpPort())) {
            SmtpTestClient.Transaction transaction = smtp.send("someone@example.com", List.of(recipient), message);
            assertThat(transaction.dataReply().code()).as("DATA reply").isEqualTo(250);
        }
        return SmtpTestClient.messageId(message);
    }

    private static boolean arrived(TestSmtpServer peer, String messageId) {
        return peer.received().stream().anyMatch(received -> received.header("Message-ID").orElse("").equals(messageId));
    }

    private static List<String> patterns(WebAdminClient admin) throws Exception {
        WebAdminClient.Response response = admin.get("/routing/routes");
        assertThat(response.status()).isEqualTo(200);
        return JSON.readTree(response.body()).findValuesAsText("pattern");
    }

    @Test
    @Order(1)
    void aRouteAddedThroughNodeAIsUsedByNodeBWithinTwoSeconds() throws Exception {
        WebAdminClient.Response added = adminA.request("POST", "/routing/routes",
            "{\"pattern\":\"cluster.test\",\"hosts\":[\"127.0.0.1:%d\"],\"tls\":\"none\"}".formatted(routed.port()));
        assertThat(added.status()).as(added.body()).isEqualTo(201);
        long start = System.nanoTime();
        ItSupport.await("the route on node B", Duration.ofSeconds(30), () -> patterns(adminB).contains("cluster.test") ? true : null);
        Duration seen = Duration.ofNanos(System.nanoTime() - start);
        System.out.println("ClusterIT: node B used node A's new route after " + seen.toMillis() + " ms");
        assertThat(seen).isLessThanOrEqualTo(PROPAGATION_LIMIT);

        String id = send(homeB, "someone@cluster.test", "routed by the shared table");
        ItSupport.await("the mail at the route's peer", () -> arrived(routed, id) ? true : null);

        WebAdminClient.Response explain = adminB.get("/routing/explain?address=someone@cluster.test");
        assertThat(explain.body()).contains("cluster.test");
    }

    @Test
    @Order(2)
    void aPinMadeOnNodeBIsUsedByNodeA() throws Exception {
        WebAdminClient.Response pin = adminB.request("PUT", "/routing/dns-cache/pinned.test",
            "{\"hosts\":[\"127.0.0.1:%d\"]}".formatted(pinned.port()));
        assertThat(pin.status()).as(pin.body()).isEqualTo(200);
        ItSupport.await("the pin on node A", Duration.ofSeconds(30),
            () -> adminA.get("/routing/dns-cache?domain=pinned.test").body().contains("PIN") ? true : null);

        // no route and no smart host: pinned.test goes "direct to its MX", which the pin replaces
        String id = send(homeA, "someone@pinned.test", "pinned on B, sent through A");
        ItSupport.await("the mail at the pinned host", () -> arrived(pinned, id) ? true : null);
    }

    @Test
    @Order(3)
    void aHoldPutOnNodeAHoldsNodeBsMailAndItsReleaseOnNodeADeliversIt() throws Exception {
        String routeId = null;
        for (JsonNode route : JSON.readTree(adminA.get("/routing/routes").body())) {
            if (route.path("pattern").asText().equals("cluster.test")) {
                routeId = route.path("id").asText();
            }
        }
        assertThat(routeId).as("the route of the first test").isNotNull();
        String destination = "route " + routeId;
        String encoded = java.net.URLEncoder.encode(destination, java.nio.charset.StandardCharsets.UTF_8);
        WebAdminClient.Response hold = adminA.request("POST", "/routing/queue/hold?destination=" + encoded + "&reason=maintenance", null);
        assertThat(hold.status()).as(hold.body()).isEqualTo(200);
        ItSupport.await("the hold on node B", Duration.ofSeconds(30), () -> {
            JsonNode holds = JSON.readTree(adminB.get("/routing/queue/holds").body());
            return holds.size() == 1 && holds.get(0).path("destination").asText().equals(destination) ? true : null;
        });

        String id = send(homeB, "held@cluster.test", "held on B by A's hold");
        ItSupport.await("the mail held on node B", () -> JSON.readTree(adminB.get("/routing/queue/holds").body()).get(0)
            .path("held").asLong() == 1 ? true : null);
        assertThat(arrived(routed, id)).as("not tried while held").isFalse();

        WebAdminClient.Response release = adminA.request("POST", "/routing/queue/release?destination=" + encoded, null);
        assertThat(release.status()).as(release.body()).isEqualTo(200);
        assertThat(JSON.readTree(release.body()).path("done")).as("node A held nothing itself").isEmpty();

        ItSupport.await("node B's held mail at the route's peer", () -> arrived(routed, id) ? true : null);
        ItSupport.awaitSettled(adminB);
        assertThat(ItSupport.arrivals(routed, id)).as("once").isEqualTo(1);
        assertThat(JSON.readTree(adminB.get("/routing/queue/holds").body())).isEmpty();
        assertThat(JSON.readTree(adminB.get("/routing/queue").body()).path("held")).isEmpty();
    }

    @Test
    @Order(4)
    void withCassandraDownBothNodesKeepRoutingEditsAre503AndAfterItsReturnEditsWorkAndNothingIsLost() throws Exception {
        List<String> before = patterns(adminA);
        cassandra.stop();
        try {
            String viaA = send(homeA, "a@cluster.test", "during the outage, via A");
            String viaB = send(homeB, "b@cluster.test", "during the outage, via B");
            ItSupport.await("both at the route's peer", () -> arrived(routed, viaA) && arrived(routed, viaB) ? true : null);

            WebAdminClient.Response refused = adminA.request("POST", "/routing/routes",
                "{\"pattern\":\"outage.test\",\"hosts\":[\"127.0.0.1:%d\"],\"tls\":\"none\"}".formatted(routed.port()));
            assertThat(refused.status()).isEqualTo(503);
            JsonNode error = JSON.readTree(refused.body());
            assertThat(error.get("message").asText()).contains("unavailable", "nothing was changed");
            assertThat(adminB.request("PUT", "/routing/dns-cache/other.test", "{\"hosts\":[\"mx.other.test\"]}").status()).isEqualTo(503);
            WebAdminClient.Response holdRefused = adminB.request("POST", "/routing/queue/hold?destination=smarthost", null);
            assertThat(holdRefused.status()).as(holdRefused.body()).isEqualTo(503);
            assertThat(holdRefused.body()).contains("nothing was changed");
            assertThat(patterns(adminA)).isEqualTo(before);
            assertThat(patterns(adminB)).isEqualTo(before);
            assertThat(nodeA.console()).contains("The routing store is unreachable");
        } finally {
            cassandra.start();
        }

        long back = System.nanoTime();
        WebAdminClient.Response accepted = ItSupport.await("an edit accepted again", Duration.ofSeconds(120), () -> {
            WebAdminClient.Response response = adminA.request("POST", "/routing/routes",
                "{\"pattern\":\"after.test\",\"hosts\":[\"127.0.0.1:%d\"],\"tls\":\"none\"}".formatted(routed.port()));
            return response.status() == 201 ? response : null;
        });
        assertThat(accepted.status()).isEqualTo(201);
        System.out.println("ClusterIT: edits accepted again " + Duration.ofNanos(System.nanoTime() - back).toMillis()
            + " ms after Cassandra took connections again");
        ItSupport.await("the new route on node B", Duration.ofSeconds(30), () -> patterns(adminB).contains("after.test") ? true : null);
        assertThat(patterns(adminB)).containsExactlyElementsOf(concat(before, "after.test"));
        String id = send(homeB, "x@after.test", "after the outage");
        ItSupport.await("the mail after the outage", () -> arrived(routed, id) ? true : null);
    }

    private static List<String> concat(List<String> list, String last) {
        List<String> all = new java.util.ArrayList<>(list);
        all.add(last);
        return all;
    }
}
