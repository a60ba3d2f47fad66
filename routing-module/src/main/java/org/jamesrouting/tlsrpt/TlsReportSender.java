package org.jamesrouting.tlsrpt;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.MailetContext;
import org.jamesrouting.dns.MailDns;
import org.jamesrouting.dns.TxtLookup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the day's TLS reports (RFC 8460 §3, §5): for each policy domain with counted sessions,
 * the {@code rua} addresses of its {@code _smtp._tls.<domain>} TXT record get the gzipped JSON
 * report — by mail ({@code mailto:}, a {@code multipart/report; report-type=tlsrpt} message from
 * the postmaster, through James) or by HTTPS POST ({@code application/tlsrpt+gzip}). A domain
 * without such a record gets none.
 */
public final class TlsReportSender {
    private static final Logger LOGGER = LoggerFactory.getLogger(TlsReportSender.class);
    private static final Duration HTTPS_TIMEOUT = Duration.ofSeconds(30);

    /** What was done for one policy domain. */
    public record Sent(String domain, long sessions, List<String> sentTo, String note) {
    }

    private final TlsSessionCounts counts;
    private final MailDns dns;
    private final MailetContext context;
    private final String organization;
    private final X509TrustManager trust;

    /** @param organization our name in the reports (the EHLO name) */
    public TlsReportSender(TlsSessionCounts counts, MailDns dns, MailetContext context, String organization, X509TrustManager trust) {
        this.counts = counts;
        this.dns = dns;
        this.context = context;
        this.organization = organization;
        this.trust = trust;
    }

    public TlsSessionCounts counts() {
        return counts;
    }

    private java.time.LocalDate lastDay;

    /** Called now and then (each minute): once a UTC day is over, its reports go out. */
    public synchronized void sendDue() {
        LocalDate today = counts.today();
        if (lastDay != null && !lastDay.equals(today)) {
            send(lastDay);
        }
        lastDay = today;
    }

    /** Sends the reports of {@code day}, one per policy domain with counted sessions. */
    public List<Sent> send(LocalDate day) {
        List<Sent> done = new ArrayList<>();
        counts.day(day).forEach((domain, policies) -> done.add(send(domain, day, policies)));
        return done;
    }

    private Sent send(String domain, LocalDate day, Map<TlsSessionCounts.Policy, TlsSessionCounts.Counts> policies) {
        long sessions = policies.values().stream().mapToLong(counts -> counts.successful() + counts.failed()).sum();
        TxtLookup txt = dns.txt("_smtp._tls." + domain);
        if (!(txt instanceof TxtLookup.Found found)) {
            return new Sent(domain, sessions, List.of(), txt instanceof TxtLookup.Failure failure
                ? "TLSRPT record not read: " + failure.reason() : "no TLSRPT record: no report");
        }
        List<String> uris = found.records().stream().flatMap(record -> TlsReport.reportUris(record).stream()).toList();
        if (uris.isEmpty()) {
            return new Sent(domain, sessions, List.of(), "no usable rua in " + found.records());
        }
        TlsReport report = new TlsReport(organization, "postmaster@" + organization, day + "_" + domain + "_" + UUID.randomUUID(), domain,
            day, policies);
        List<String> sentTo = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String uri : uris) {
            try {
                if (uri.startsWith("mailto:")) {
                    mail(report, uri.substring(7));
                } else {
                    post(report, uri);
                }
                sentTo.add(uri);
            } catch (Exception e) {
                problems.add(uri + ": " + e.getMessage());
                LOGGER.warn("TLS report for {} ({}) not sent to {}: {}", domain, day, uri, e.getMessage());
            }
        }
        LOGGER.info("TLS report for {} ({}, {} sessions) sent to {}", domain, day, sessions, sentTo);
        return new Sent(domain, sessions, sentTo, String.join("; ", problems));
    }

    private void mail(TlsReport report, String address) throws MessagingException {
        MailAddress to = new MailAddress(address.contains("?") ? address.substring(0, address.indexOf('?')) : address);
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        message.setFrom(new InternetAddress(context.getPostmaster().asString()));
        message.setRecipient(javax.mail.Message.RecipientType.TO, new InternetAddress(to.asString()));
        message.setSubject("Report Domain: " + report.policyDomain() + " Submitter: " + organization + " Report-ID: <" + report.reportId() + ">");
        message.setHeader("TLS-Report-Domain", report.policyDomain());
        message.setHeader("TLS-Report-Submitter", organization);
        MimeMultipart multipart = new MimeMultipart("report; report-type=tlsrpt");
        MimeBodyPart text = new MimeBodyPart();
        text.setText("This is an aggregate TLS report (RFC 8460) from " + organization + " for " + report.policyDomain() + ", "
            + report.day() + ".", "UTF-8");
        multipart.addBodyPart(text);
        MimeBodyPart attachment = new MimeBodyPart();
        attachment.setContent(report.gzipped(), "application/tlsrpt+gzip");
        attachment.setHeader("Content-Type", "application/tlsrpt+gzip");
        attachment.setFileName(report.fileName());
        attachment.setHeader("Content-Transfer-Encoding", "base64");
        multipart.addBodyPart(attachment);
        message.setContent(multipart);
        message.saveChanges();
        MailImpl mail = MailImpl.builder().name("tlsrpt-" + UUID.randomUUID()).sender(MaybeSender.nullSender()).addRecipient(to)
            .mimeMessage(message).build();
        try {
            context.sendMail(mail);
        } finally {
            org.apache.james.lifecycle.api.LifecycleUtil.dispose(mail);
        }
    }

    private void post(TlsReport report, String uri) throws IOException, InterruptedException, java.security.GeneralSecurityException {
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, new javax.net.ssl.TrustManager[] {trust}, null);
        HttpClient client = HttpClient.newBuilder().sslContext(ssl).connectTimeout(HTTPS_TIMEOUT).build();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(uri)).timeout(HTTPS_TIMEOUT)
            .header("Content-Type", "application/tlsrpt+gzip").POST(HttpRequest.BodyPublishers.ofByteArray(report.gzipped())).build(),
            HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException("HTTP " + response.statusCode());
        }
    }
}
