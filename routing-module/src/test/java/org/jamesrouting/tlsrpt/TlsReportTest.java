package org.jamesrouting.tlsrpt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.zip.GZIPInputStream;

import org.jamesrouting.testing.MutableClock;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class TlsReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TlsSessionCounts.Policy STS = new TlsSessionCounts.Policy("company-y.example", "sts",
        List.of("version: STSv1", "mode: enforce", "mx: *.mail.company-y.example", "max_age: 86400"), List.of("*.mail.company-y.example"));
    private static final TlsSessionCounts.Policy NONE = new TlsSessionCounts.Policy("company-y.example", "no-policy-found", List.of(), List.of());

    @Test
    void theReportHasRfc8460sFields() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-03T23:59:00Z"));
        TlsSessionCounts counts = new TlsSessionCounts(clock);
        counts.success(STS);
        counts.success(STS);
        counts.failure(STS, new TlsSessionCounts.Failure("certificate-expired", "mx1.mail.company-y.example", "192.0.2.1"));
        counts.failure(NONE, new TlsSessionCounts.Failure("starttls-not-supported", "mx2.company-y.example", "192.0.2.2"));
        LocalDate day = LocalDate.parse("2026-12-03");

        TlsReport report = new TlsReport("mail.sender.example", "postmaster@mail.sender.example", "r1", "company-y.example", day,
            counts.day(day).get("company-y.example"));
        JsonNode json = JSON.readTree(report.json());

        assertThat(json.path("organization-name").asText()).isEqualTo("mail.sender.example");
        assertThat(json.path("date-range").path("start-datetime").asText()).isEqualTo("2026-12-03T00:00:00Z");
        assertThat(json.path("date-range").path("end-datetime").asText()).isEqualTo("2026-12-03T23:59:59Z");
        assertThat(json.path("report-id").asText()).isEqualTo("r1");
        assertThat(json.path("policies")).hasSize(2);
        JsonNode sts = null;
        for (JsonNode policy : json.path("policies")) {
            if (policy.path("policy").path("policy-type").asText().equals("sts")) {
                sts = policy;
            }
        }
        assertThat(sts).isNotNull();
        assertThat(sts.path("policy").path("policy-string").get(1).asText()).isEqualTo("mode: enforce");
        assertThat(sts.path("policy").path("mx-host").get(0).asText()).isEqualTo("*.mail.company-y.example");
        assertThat(sts.path("summary").path("total-successful-session-count").asLong()).isEqualTo(2);
        assertThat(sts.path("summary").path("total-failure-session-count").asLong()).isEqualTo(1);
        assertThat(sts.path("failure-details").get(0).path("result-type").asText()).isEqualTo("certificate-expired");
        assertThat(sts.path("failure-details").get(0).path("receiving-ip").asText()).isEqualTo("192.0.2.1");
        assertThat(sts.path("failure-details").get(0).path("failed-session-count").asLong()).isEqualTo(1);
        try (GZIPInputStream gunzip = new GZIPInputStream(new ByteArrayInputStream(report.gzipped()))) {
            assertThat(new String(gunzip.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(report.json());
        }
        assertThat(report.fileName()).isEqualTo("mail.sender.example!company-y.example!1796256000!1796342399.json.gz");

        clock.advance(java.time.Duration.ofMinutes(2));
        counts.success(STS);
        assertThat(counts.day(day).get("company-y.example").get(STS).successful()).as("yesterday stays as it was").isEqualTo(2);
        assertThat(counts.day(LocalDate.parse("2026-12-04")).get("company-y.example").get(STS).successful()).isEqualTo(1);
    }

    @Test
    void theReportAddressesOfATlsRptRecord() {
        assertThat(TlsReport.reportUris("v=TLSRPTv1; rua=mailto:reports@example.com,https://reporting.example.com/v1/tlsrpt"))
            .containsExactly("mailto:reports@example.com", "https://reporting.example.com/v1/tlsrpt");
        assertThat(TlsReport.reportUris("v=TLSRPTv1;rua=mailto:a@example.com")).containsExactly("mailto:a@example.com");
        assertThat(TlsReport.reportUris("v=spf1 -all")).isEmpty();
        assertThat(TlsReport.reportUris("v=TLSRPTv1; rua=ftp://example.com/x")).isEmpty();
    }

    @Test
    void theCountsAreBounded() {
        TlsSessionCounts counts = new TlsSessionCounts(new MutableClock(Instant.parse("2026-12-03T23:59:00Z")));
        for (int i = 0; i < TlsSessionCounts.MAX_POLICIES + 50; i++) {
            counts.success(new TlsSessionCounts.Policy("d" + i + ".example", "no-policy-found", List.of(), List.of()));
        }
        for (int i = 0; i < TlsSessionCounts.MAX_FAILURE_KINDS + 50; i++) {
            counts.failure(STS, new TlsSessionCounts.Failure("validation-failure", "mx" + i + ".example", ""));
        }
        LocalDate day = LocalDate.parse("2026-12-03");
        assertThat(counts.day(day)).hasSize(TlsSessionCounts.MAX_POLICIES);
    }
}
