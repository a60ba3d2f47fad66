package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.jamesrouting.testing.Dnsmasq;
import org.jamesrouting.testing.TestSmtpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * MX sets through a real James and a real DNS server (dnsmasq): a.test and b.test have their
 * best MX under provider.test (as gmail.com and every Workspace domain under google.com), c.test
 * elsewhere. {@code <destinationRates>mxset:*.provider.test 120/m} gives the two domains one
 * budget: 11 messages to them, alternating, take 10 intervals of 0.5 s (two budgets would take
 * half as long). A hold of {@code mxset:*.provider.test} keeps the mail of both domains while
 * c.test's flows; release delivers each once.
 */
class MxSetIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MESSAGES = 11;

    @TempDir
    static Path directory;
    static Dnsmasq dns;
    static TestSmtpServer provider;
    static TestSmtpServer other;
    static InProcessJames james;

    @BeforeAll
    static void start() throws Exception {
        int mxPort = JamesHome.freePort();
        provider = TestSmtpServer.start("127.0.0.41", mxPort);
        other = TestSmtpServer.start("127.0.0.42", mxPort);
        dns = Dnsmasq.start(directory,
            "--mx-host=a.test,mx1.provider.test,10", "--mx-host=a.test,alt.elsewhere.test,20",
            "--mx-host=b.test,MX2.Provider.test,5",
            "--mx-host=c.test,mx.other.test,10",
            "--host-record=mx1.provider.test,127.0.0.41", "--host-record=mx2.provider.test,127.0.0.41",
            "--host-record=alt.elsewhere.test,127.0.0.41", "--host-record=mx.other.test,127.0.0.42");
        JamesHome home = JamesHome.fromProjectConf(directory.resolve("james"))
            .outboundRouter("""
                <dnsServers>%s</dnsServers>
                <mxPort>%d</mxPort>
                <destinationRates>mxset:*.provider.test 120/m</destinationRates>
                <retrySchedule>1h</retrySchedule>
                <connectTimeout>2s</connectTimeout>
                """.formatted(dns.server(), mxPort));
        james = InProcessJames.start(home);
        james.webAdmin().addDomain("example.com");
    }

    @AfterAll
    static void stop() throws Exception {
        if (james != null) {
            james.close();
        }
        for (AutoCloseable closeable : new AutoCloseable[] {dns, provider, other}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static JsonNode post(String path) throws Exception {
        WebAdminClient.Response response = james.webAdmin().request("POST", path, null);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    @Test
    void theDomainsOfOneProviderShareOneRateBudget() throws Exception {
        for (int i = 0; i < MESSAGES; i++) {
            ItSupport.send(james, "someone@example.com", "u" + i + "@" + (i % 2 == 0 ? "a" : "b") + ".test", "paced " + i);
        }

        List<Instant> arrivals = ItSupport.await("all at the provider's MX", () -> {
            List<Instant> paced = provider.received().stream().filter(received -> received.header("Subject").orElse("").startsWith("paced "))
                .map(TestSmtpServer.Received::at).sorted(Comparator.naturalOrder()).toList();
            return paced.size() == MESSAGES ? paced : null;
        });
        ItSupport.awaitSettled(james.webAdmin());

        Duration span = Duration.between(arrivals.get(0), arrivals.get(MESSAGES - 1));
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < MESSAGES; i++) {
            gaps.add(Duration.between(arrivals.get(i - 1), arrivals.get(i)).toMillis());
        }
        System.out.println("MxSetIT: " + MESSAGES + " messages to a.test and b.test at mxset 120/m in " + span.toMillis() + " ms, gaps " + gaps);
        assertThat(span).as("10 intervals of 500 ms for both domains together, ± 10 %")
            .isBetween(Duration.ofMillis(4500), Duration.ofMillis(5500));
        assertThat(gaps).as("evenly spaced across the two domains").allMatch(gap -> gap >= 250);
        assertThat(provider.received().stream().filter(received -> received.header("Subject").orElse("").startsWith("paced "))).hasSize(MESSAGES);

        JsonNode explained = JSON.readTree(james.webAdmin().get("/routing/explain?address=x@b.test").body());
        assertThat(explained.path("rate").asText())
            .isEqualTo("120/m (<destinationRates>: mxset:*.provider.test, the MX set of mx:b.test by its best MX mx2.provider.test)");
        assertThat(JSON.readTree(james.webAdmin().get("/routing/explain?address=x@c.test").body()).hasNonNull("rate")).as("c.test is in no set").isFalse();
    }

    @Test
    void anMxSetOnHoldKeepsTheMailOfEachOfItsDomainsUntilReleased() throws Exception {
        JsonNode hold = post("/routing/queue/hold?destination=" + encode("mxset:*.Provider.test") + "&reason=" + encode("provider quota"));
        assertThat(hold.path("destination").asText()).isEqualTo("mxset:*.provider.test");
        String toA = ItSupport.send(james, "someone@example.com", "held@a.test", "held a");
        String toB = ItSupport.send(james, "someone@example.com", "held@b.test", "held b");
        String toC = ItSupport.send(james, "someone@example.com", "free@c.test", "not held");

        ItSupport.await("c.test's mail at its MX", () -> ItSupport.arrivals(other, toC) == 1 ? true : null);
        JsonNode holds = ItSupport.await("two held for the MX set", () -> {
            JsonNode list = JSON.readTree(james.webAdmin().get("/routing/queue/holds").body());
            return list.size() == 1 && list.get(0).path("held").asLong() == 2 ? list : null;
        });
        assertThat(holds.get(0).path("destination").asText()).isEqualTo("mxset:*.provider.test");
        assertThat(holds.get(0).path("reason").asText()).isEqualTo("provider quota");
        ItSupport.awaitSettled(james.webAdmin());
        assertThat(ItSupport.arrivals(provider, toA) + ItSupport.arrivals(provider, toB)).as("not tried while held").isZero();

        JsonNode released = post("/routing/queue/release?destination=" + encode("mxset:*.provider.test"));

        assertThat(released.path("done").size()).isEqualTo(2);
        ItSupport.await("both released mails at the provider", () -> ItSupport.arrivals(provider, toA) == 1
            && ItSupport.arrivals(provider, toB) == 1 ? true : null);
        ItSupport.awaitSettled(james.webAdmin());
        assertThat(ItSupport.arrivals(provider, toA)).isEqualTo(1);
        assertThat(ItSupport.arrivals(provider, toB)).isEqualTo(1);
        assertThat(ItSupport.arrivals(other, toC)).isEqualTo(1);
        assertThat(JSON.readTree(james.webAdmin().get("/routing/queue/holds").body())).isEmpty();
    }
}
