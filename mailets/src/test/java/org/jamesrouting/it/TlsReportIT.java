package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

import javax.mail.BodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

import org.jamesrouting.testing.Dnsmasq;
import org.jamesrouting.testing.TestSmtpServer;
import org.jamesrouting.testing.TestTls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * TLS reporting (RFC 8460) through a real James and a real DNS server: tls.test's MX offers
 * STARTTLS, plain.test's does not; both publish {@code _smtp._tls} records whose {@code rua} is a
 * local mailbox. After one message to each, the day's counts say one successful session for
 * tls.test and one {@code starttls-not-supported} failure for plain.test; sending the reports
 * delivers one RFC 8460 report per domain, gzipped JSON in a {@code multipart/report}, to that
 * mailbox; a domain without a record gets none.
 */
class TlsReportIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path directory;
    static Dnsmasq dns;
    static TestSmtpServer tlsMx;
    static TestSmtpServer plainMx;
    static TestSmtpServer quietMx;
    static InProcessJames james;

    @BeforeAll
    static void start() throws Exception {
        int mxPort = JamesHome.freePort();
        TestTls tls = TestTls.create(java.nio.file.Files.createDirectories(directory.resolve("tls")), "mx.tls.test");
        tlsMx = TestSmtpServer.start("127.0.0.61", mxPort).offerStartTls(tls.serverContext());
        plainMx = TestSmtpServer.start("127.0.0.62", mxPort);
        quietMx = TestSmtpServer.start("127.0.0.63", mxPort);
        dns = Dnsmasq.start(directory,
            "--mx-host=tls.test,mx.tls.test,10", "--host-record=mx.tls.test,127.0.0.61",
            "--mx-host=plain.test,mx.plain.test,10", "--host-record=mx.plain.test,127.0.0.62",
            "--mx-host=quiet.test,mx.quiet.test,10", "--host-record=mx.quiet.test,127.0.0.63",
            "--txt-record=_smtp._tls.tls.test,v=TLSRPTv1; rua=mailto:tlsrpt@example.com",
            "--txt-record=_smtp._tls.plain.test,v=TLSRPTv1;rua=mailto:tlsrpt@example.com");
        JamesHome home = JamesHome.fromProjectConf(directory.resolve("james"))
            .outboundRouter("""
                <dnsServers>%s</dnsServers>
                <mxPort>%d</mxPort>
                <mtaSts>false</mtaSts>
                <connectTimeout>2s</connectTimeout>
                """.formatted(dns.server(), mxPort));
        james = InProcessJames.start(home);
        james.webAdmin().addDomain("example.com");
        james.webAdmin().addUser("tlsrpt@example.com", "reportpass");
    }

    @AfterAll
    static void stop() throws Exception {
        if (james != null) {
            james.close();
        }
        for (AutoCloseable closeable : new AutoCloseable[] {dns, tlsMx, plainMx, quietMx}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    private static JsonNode policyOf(JsonNode counts, String domain) {
        for (JsonNode policy : counts.path("policies")) {
            if (policy.path("domain").asText().equals(domain)) {
                return policy;
            }
        }
        return null;
    }

    @Test
    void theDaysSessionsAreCountedAndReportedToTheDomainsRua() throws Exception {
        String toTls = ItSupport.send(james, "someone@example.com", "a@tls.test", "over TLS");
        String toPlain = ItSupport.send(james, "someone@example.com", "b@plain.test", "without TLS");
        ItSupport.send(james, "someone@example.com", "c@quiet.test", "no TLSRPT record");
        ItSupport.await("all three delivered", () -> ItSupport.arrivals(tlsMx, toTls) == 1 && ItSupport.arrivals(plainMx, toPlain) == 1
            && quietMx.received().size() == 1 ? true : null);
        ItSupport.awaitSettled(james.webAdmin());
        assertThat(tlsMx.received().get(0).tls()).isTrue();

        JsonNode counts = JSON.readTree(james.webAdmin().get("/routing/tls-reports").body());
        JsonNode tls = policyOf(counts, "tls.test");
        JsonNode plain = policyOf(counts, "plain.test");
        assertThat(tls.path("policyType").asText()).isEqualTo("no-policy-found");
        assertThat(tls.path("successful").asLong()).isEqualTo(1);
        assertThat(tls.path("failed").asLong()).isZero();
        assertThat(plain.path("successful").asLong()).isZero();
        assertThat(plain.path("failures").get(0).path("resultType").asText()).isEqualTo("starttls-not-supported");
        assertThat(plain.path("failures").get(0).path("receivingMx").asText()).isEqualTo("mx.plain.test");
        assertThat(plain.path("failures").get(0).path("receivingIp").asText()).isEqualTo("127.0.0.62");

        java.io.ByteArrayOutputStream cliOut = new java.io.ByteArrayOutputStream();
        int exit = org.jamesrouting.cli.RoutingCli.run(new String[] {"--url", "http://127.0.0.1:" + james.home().webAdminPort(), "tls-reports"},
            new java.io.PrintStream(cliOut, true, StandardCharsets.UTF_8),
            new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true, StandardCharsets.UTF_8), java.util.Map.of());
        assertThat(exit).isZero();
        assertThat(cliOut.toString(StandardCharsets.UTF_8)).contains("tls.test", "no-policy-found", "starttls-not-supported at mx.plain.test x1");

        WebAdminClient.Response sent = james.webAdmin().request("POST", "/routing/tls-reports/send?day=today", null);
        assertThat(sent.status()).as(sent.body()).isEqualTo(200);
        JsonNode reports = JSON.readTree(sent.body()).path("reports");
        assertThat(reports).hasSize(3);
        for (JsonNode report : reports) {
            if (report.path("domain").asText().equals("quiet.test")) {
                assertThat(report.path("sentTo")).isEmpty();
                assertThat(report.path("note").asText()).contains("no TLSRPT record");
            } else {
                assertThat(report.path("sentTo").get(0).asText()).isEqualTo("mailto:tlsrpt@example.com");
            }
        }

        List<MimeMessage> inbox = james.mailboxes().awaitInbox("tlsrpt@example.com", "reportpass", 2);
        assertThat(inbox).hasSize(2);
        MimeMessage forTls = inbox.stream().filter(message -> header(message, "TLS-Report-Domain").equals("tls.test")).findFirst().orElseThrow();
        assertThat(forTls.getSubject()).startsWith("Report Domain: tls.test Submitter: james-routing.localhost Report-ID: <");
        assertThat(forTls.getContentType()).contains("multipart/report").contains("report-type=tlsrpt");
        MimeMultipart parts = (MimeMultipart) forTls.getContent();
        BodyPart attachment = parts.getBodyPart(1);
        assertThat(attachment.getContentType()).startsWith("application/tlsrpt+gzip");
        byte[] gzipped = attachment.getInputStream().readAllBytes();
        JsonNode report;
        try (GZIPInputStream gunzip = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            report = JSON.readTree(new String(gunzip.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertThat(report.path("organization-name").asText()).isEqualTo("james-routing.localhost");
        assertThat(report.path("policies").get(0).path("policy").path("policy-domain").asText()).isEqualTo("tls.test");
        assertThat(report.path("policies").get(0).path("summary").path("total-successful-session-count").asLong()).isEqualTo(1);
        assertThat(james.webAdmin().request("POST", "/routing/tls-reports/send?day=lastweek", null).status()).isEqualTo(400);
    }

    private static String header(MimeMessage message, String name) {
        try {
            String value = message.getHeader(name, null);
            return value == null ? "" : value;
        } catch (javax.mail.MessagingException e) {
            return "";
        }
    }
}
