package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.jamesrouting.delivery.OutboundDelivery;
import org.jamesrouting.testing.Dnsmasq;
import org.jamesrouting.testing.TestHttpsServer;
import org.jamesrouting.testing.TestPorts;
import org.jamesrouting.testing.TestSmtpServer;
import org.jamesrouting.testing.TestTls;
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
 * MTA-STS (RFC 8461) end to end: dnsmasq serves the MX, A and {@code _mta-sts} TXT records, an
 * HTTPS server in this JVM serves the policies with a test certificate, SMTP peers on
 * 127.0.0.2-5 present a certificate that names their MX host or not. Direct MX delivery, TLS
 * level {@code may} by default.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MtaStsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path directory;
    static JamesHome home;
    static InProcessJames james;
    static Dnsmasq dns;
    static TestHttpsServer https;
    static TestSmtpServer good;
    static TestSmtpServer wrong;
    static TestSmtpServer unlisted;
    static TestSmtpServer testing;
    static LogCapture log;

    private static String policy(String mode, String mx) {
        return "version: STSv1\r\nmode: " + mode + "\r\nmx: " + mx + "\r\nmax_age: 86400\r\n";
    }

    @BeforeAll
    static void start() throws Exception {
        // the certificate names mx.good.test and the policy hosts, not mx.wrong.test nor mx.testing.test
        TestTls tls = TestTls.create(directory, "mx.good.test", "mta-sts.good.test", "mta-sts.wrong.test", "mta-sts.unlisted.test",
            "mta-sts.testing.test", "localhost");
        https = TestHttpsServer.start(tls.serverContext())
            .serve("mta-sts.good.test", TestHttpsServer.Answer.policy(policy("enforce", "mx.good.test")))
            .serve("mta-sts.wrong.test", TestHttpsServer.Answer.policy(policy("enforce", "mx.wrong.test")))
            .serve("mta-sts.unlisted.test", TestHttpsServer.Answer.policy(policy("enforce", "*.elsewhere.test")))
            .serve("mta-sts.testing.test", TestHttpsServer.Answer.policy(policy("testing", "mx.testing.test")));
        int mxPort = TestPorts.free();
        good = TestSmtpServer.start("127.0.0.2", mxPort).offerStartTls(tls.serverContext());
        wrong = TestSmtpServer.start("127.0.0.3", mxPort).offerStartTls(tls.serverContext());
        unlisted = TestSmtpServer.start("127.0.0.4", mxPort).offerStartTls(tls.serverContext());
        testing = TestSmtpServer.start("127.0.0.5", mxPort).offerStartTls(tls.serverContext());
        List<String> records = new java.util.ArrayList<>();
        String[][] domains = {{"good", "127.0.0.2", "g1"}, {"wrong", "127.0.0.3", "w1"}, {"unlisted", "127.0.0.4", "u1"},
            {"testing", "127.0.0.5", "t1"}};
        for (String[] domain : domains) {
            records.add("--mx-host=" + domain[0] + ".test,mx." + domain[0] + ".test,10");
            records.add("--host-record=mx." + domain[0] + ".test," + domain[1]);
            records.add("--host-record=mta-sts." + domain[0] + ".test,127.0.0.1");
            records.add("--txt-record=_mta-sts." + domain[0] + ".test,v=STSv1; id=" + domain[2] + ";");
        }
        records.add("--txt-record=_smtp._tls.good.test,v=TLSRPTv1; rua=https://localhost:" + https.port() + "/tlsrpt");
        dns = Dnsmasq.start(directory, records.toArray(String[]::new));
        home = JamesHome.fromProjectConf(directory.resolve("james"))
            .outboundRouter("""
                <dnsServers>%s</dnsServers>
                <mxPort>%d</mxPort>
                <mtaStsPort>%d</mtaStsPort>
                <truststore>%s</truststore>
                <truststorePassword>%s</truststorePassword>
                <retrySchedule>1s</retrySchedule>
                <connectTimeout>2s</connectTimeout>
                <commandTimeout>10s</commandTimeout>
                """.formatted(dns.server(), mxPort, https.port(), tls.keystore(), TestTls.PASSWORD));
        log = LogCapture.of(OutboundDelivery.class);
        james = InProcessJames.start(home);
    }

    @AfterAll
    static void stop() throws Exception {
        log.close();
        if (james != null) {
            james.close();
        }
        for (AutoCloseable closeable : new AutoCloseable[] {dns, https, good, wrong, unlisted, testing}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    private static JsonNode cached(String domain) throws Exception {
        for (JsonNode policy : JSON.readTree(james.webAdmin().get("/routing/mta-sts").body())) {
            if (policy.path("domain").asText().equals(domain)) {
                return policy;
            }
        }
        return null;
    }

    private static JsonNode awaitFailures(String domain, int atLeast) throws Exception {
        return ItSupport.await(domain + ": " + atLeast + " MTA-STS failure(s)", () -> {
            JsonNode policy = cached(domain);
            return policy != null && policy.path("failures").asInt() >= atLeast ? policy : null;
        });
    }

    @Test
    @Order(1)
    void enforceWithAListedMxAndACertificateForItsNameDelivers() throws Exception {
        String id = ItSupport.send(james, "alice@example.com", "bob@good.test", "to a domain with an enforced policy");
        TestSmtpServer.Received received = ItSupport.await("the mail at mx.good.test", () -> good.received().stream()
            .filter(mail -> mail.header("Message-ID").orElse("").equals(id)).findFirst().orElse(null));
        assertThat(received.tls()).isTrue();
        JsonNode policy = ItSupport.await("the delivery counted", () -> {
            JsonNode now = cached("good.test");
            return now != null && now.path("deliveries").asInt() == 1 ? now : null;
        });
        assertThat(policy.path("mode").asText()).isEqualTo("enforce");
        assertThat(policy.path("id").asText()).isEqualTo("g1");
        assertThat(policy.path("failures").asInt()).isZero();
        assertThat(log.anyLineWith("under MTA-STS enforce", "TLSv1.3 verified")).as("a log line with under MTA-STS enforce and TLSv1.3 verified").isTrue();
    }

    @Test
    @Order(2)
    void enforceWithACertificateNotForTheMxNameDefersAndNotOneByteOfTheMailIsSent() throws Exception {
        ItSupport.send(james, "alice@example.com", "bob@wrong.test", "certificate for another name");
        JsonNode policy = awaitFailures("wrong.test", 1);
        assertThat(policy.path("lastFailure").asText()).contains("mx.wrong.test", "certificate");
        ItSupport.await("the mail deferred with 4.7.5", () -> {
            String queue = james.webAdmin().get("/routing/queue").body();
            return queue.contains("bob@wrong.test") && queue.contains("4.7.5") ? true : null;
        });
        assertThat(wrong.received()).isEmpty();
        assertThat(wrong.commands()).noneMatch(command -> command.startsWith("MAIL") || command.startsWith("RCPT"));
    }

    @Test
    @Order(3)
    void enforceNeverConnectsToAnMxThePolicyDoesNotList() throws Exception {
        ItSupport.send(james, "alice@example.com", "bob@unlisted.test", "MX not in the policy");
        JsonNode policy = awaitFailures("unlisted.test", 1);
        assertThat(policy.path("lastFailure").asText()).contains("mx.unlisted.test is not in the MTA-STS policy");
        assertThat(unlisted.connections()).isZero();
    }

    @Test
    @Order(4)
    void testingDeliversAndSaysWhatEnforceWouldHaveRefused() throws Exception {
        String id = ItSupport.send(james, "alice@example.com", "bob@testing.test", "policy in testing mode");
        ItSupport.await("the mail at mx.testing.test", () -> testing.received().stream()
            .anyMatch(mail -> mail.header("Message-ID").orElse("").equals(id)) ? true : null);
        JsonNode policy = awaitFailures("testing.test", 1);
        assertThat(policy.path("mode").asText()).isEqualTo("testing");
        assertThat(policy.path("lastFailure").asText()).contains("TLS not verified");
        assertThat(log.anyLineWith("MTA-STS testing policy of testing.test", "enforce would have refused it")).as("a log line with MTA-STS testing policy of testing.test and enforce would have refused it").isTrue();
    }

    /** The sessions so far, as TLS reports (RFC 8460) will tell each domain: under its "sts" policy, good or failed and why. */
    @Test
    @Order(5)
    void theSessionsAreCountedForTlsReportsUnderEachPolicy() throws Exception {
        JsonNode counts = JSON.readTree(james.webAdmin().get("/routing/tls-reports").body());
        java.util.Map<String, JsonNode> byDomain = new java.util.HashMap<>();
        counts.path("policies").forEach(policy -> byDomain.put(policy.path("domain").asText(), policy));

        JsonNode good = byDomain.get("good.test");
        assertThat(good.path("policyType").asText()).isEqualTo("sts");
        assertThat(good.path("policyStrings").toString()).contains("mode: enforce", "mx: mx.good.test");
        assertThat(good.path("successful").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(good.path("failed").asLong()).isZero();
        JsonNode wrong = byDomain.get("wrong.test");
        assertThat(wrong.path("successful").asLong()).isZero();
        assertThat(wrong.path("failures").get(0).path("resultType").asText()).isEqualTo("certificate-host-mismatch");
        JsonNode testing = byDomain.get("testing.test");
        assertThat(testing.path("failed").asLong()).as("testing: delivered, but the certificate did not verify").isGreaterThanOrEqualTo(1);

        WebAdminClient.Response sent = james.webAdmin().request("POST", "/routing/tls-reports/send?day=today", null);
        assertThat(sent.status()).as(sent.body()).isEqualTo(200);
        assertThat(sent.body()).contains("https://localhost:" + https.port() + "/tlsrpt");
        assertThat(https.posts()).hasSize(1);
        assertThat(https.posts().get(0).contentType()).isEqualTo("application/tlsrpt+gzip");
        try (java.util.zip.GZIPInputStream gunzip = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(https.posts().get(0).body()))) {
            JsonNode report = JSON.readTree(gunzip.readAllBytes());
            assertThat(report.path("policies").get(0).path("policy").path("policy-type").asText()).isEqualTo("sts");
            assertThat(report.path("policies").get(0).path("policy").path("policy-domain").asText()).isEqualTo("good.test");
        }
    }

    @Test
    @Order(6)
    void explainAndTheCliNameThePolicyInForce() throws Exception {
        JsonNode explained = JSON.readTree(james.webAdmin().get("/routing/explain?address=bob@wrong.test").body());
        assertThat(explained.path("mtaSts").asText()).contains("MTA-STS enforce", "mx.wrong.test", "id w1");
        assertThat(explained.path("hops").get(0).path("tls").asText()).startsWith("verify");
        JsonNode unlistedHops = JSON.readTree(james.webAdmin().get("/routing/explain?address=bob@unlisted.test").body()).path("hops");
        assertThat(unlistedHops.get(0).path("note").asText()).contains("skipped: not in the MTA-STS policy");
        JsonNode now = JSON.readTree(james.webAdmin().get("/routing/mta-sts/good.test").body());
        assertThat(now.path("inForce").asBoolean()).isTrue();
        assertThat(now.path("mx").get(0).asText()).isEqualTo("mx.good.test");
        JsonNode none = JSON.readTree(james.webAdmin().get("/routing/mta-sts/nopolicy.test").body());
        assertThat(none.path("inForce").asBoolean()).isFalse();
        assertThat(none.path("note").asText()).contains("no MTA-STS policy published");
        assertThat(james.webAdmin().get("/routing/mta-sts/not..a..domain").status()).isEqualTo(400);

        assertThat(cli("explain", "bob@wrong.test")).contains("MTA-STS: MTA-STS enforce, mx: mx.wrong.test");
        assertThat(cli("mta-sts")).contains("DOMAIN", "FAILURES", "good.test", "enforce", "mx.good.test", "testing.test", "testing");
        assertThat(cli("mta-sts", "good.test")).startsWith("good.test: MTA-STS enforce");
    }

    private static String cli(String... args) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        List<String> all = new java.util.ArrayList<>(List.of("--url", "http://127.0.0.1:" + home.webAdminPort()));
        all.addAll(List.of(args));
        int exit = org.jamesrouting.cli.RoutingCli.run(all.toArray(String[]::new), new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8),
            new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true, java.nio.charset.StandardCharsets.UTF_8), java.util.Map.of());
        assertThat(exit).as(String.join(" ", args)).isZero();
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    @Order(7)
    void policiesAreKeptAcrossARestartAndStillEnforcedWhenTheirServerIsGone() throws Exception {
        james.close();
        james = null;
        int fetchesBefore = https.requests();
        https.close();
        james = InProcessJames.start(home);
        assertThat(JSON.readTree(james.webAdmin().get("/routing/mta-sts").body()).findValuesAsText("domain"))
            .contains("good.test", "wrong.test", "unlisted.test", "testing.test");

        ItSupport.send(james, "alice@example.com", "carol@wrong.test", "after the restart");
        awaitFailures("wrong.test", 1);
        assertThat(wrong.received()).isEmpty();
        assertThat(https.requests()).isEqualTo(fetchesBefore);

        assertThat(cli("mta-sts", "flush", "good.test")).contains("flushed 1 policy");
        assertThat(cached("good.test")).isNull();
        assertThat(cached("wrong.test")).isNotNull();
    }
}
