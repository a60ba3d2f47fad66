package org.jamesrouting.tlsrpt;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One aggregate TLS report (RFC 8460 §4.4) for one policy domain and one UTC day: who sends it,
 * the date range, and for each policy the successful and failed session counts with the failure
 * details. Written as JSON, sent gzipped.
 */
public record TlsReport(String organization, String contact, String reportId, String policyDomain, LocalDate day,
                        Map<TlsSessionCounts.Policy, TlsSessionCounts.Counts> policies) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public TlsReport {
        policies = Map.copyOf(policies);
    }

    public String json() {
        ObjectNode report = JSON.createObjectNode();
        report.put("organization-name", organization);
        ObjectNode range = report.putObject("date-range");
        range.put("start-datetime", day.atStartOfDay().toInstant(ZoneOffset.UTC).toString());
        range.put("end-datetime", day.plusDays(1).atStartOfDay().minusSeconds(1).toInstant(ZoneOffset.UTC).toString());
        report.put("contact-info", contact);
        report.put("report-id", reportId);
        ArrayNode list = report.putArray("policies");
        policies.forEach((policy, counts) -> {
            ObjectNode entry = list.addObject();
            ObjectNode described = entry.putObject("policy");
            described.put("policy-type", policy.type());
            if (!policy.strings().isEmpty()) {
                ArrayNode strings = described.putArray("policy-string");
                policy.strings().forEach(strings::add);
            }
            described.put("policy-domain", policy.domain());
            if (!policy.mxHosts().isEmpty()) {
                ArrayNode hosts = described.putArray("mx-host");
                policy.mxHosts().forEach(hosts::add);
            }
            ObjectNode summary = entry.putObject("summary");
            summary.put("total-successful-session-count", counts.successful());
            summary.put("total-failure-session-count", counts.failed());
            if (!counts.failures().isEmpty()) {
                ArrayNode details = entry.putArray("failure-details");
                counts.failures().forEach((failure, count) -> {
                    ObjectNode detail = details.addObject();
                    detail.put("result-type", failure.resultType());
                    detail.put("receiving-mx-hostname", failure.receivingMx());
                    if (!failure.receivingIp().isEmpty()) {
                        detail.put("receiving-ip", failure.receivingIp());
                    }
                    detail.put("failed-session-count", count);
                });
            }
        });
        return report.toString();
    }

    /** The JSON, gzipped ({@code application/tlsrpt+gzip}). */
    public byte[] gzipped() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write(json().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The file name RFC 8460 §5.3 suggests: {@code sender!policy-domain!begin!end.json.gz}. */
    public String fileName() {
        long begin = day.atStartOfDay().toEpochSecond(ZoneOffset.UTC);
        return organization + "!" + policyDomain + "!" + begin + "!" + (begin + 86_399) + ".json.gz";
    }

    /**
     * The report addresses of a {@code _smtp._tls} TXT record ({@code v=TLSRPTv1; rua=mailto:a@b,https://c/d}),
     * empty when it is not one.
     */
    public static List<String> reportUris(String txt) {
        String[] fields = txt.split(";");
        if (fields.length == 0 || !fields[0].trim().equals("v=TLSRPTv1")) {
            return List.of();
        }
        for (String field : fields) {
            String trimmed = field.trim();
            if (trimmed.startsWith("rua=")) {
                return java.util.Arrays.stream(trimmed.substring(4).split(",")).map(String::trim)
                    .filter(uri -> uri.startsWith("mailto:") || uri.startsWith("https://")).toList();
            }
        }
        return List.of();
    }
}
