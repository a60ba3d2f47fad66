package org.jamesrouting.bounce;

import org.jamesrouting.delivery.Envelope;
import org.jamesrouting.delivery.RecipientOutcome;
import org.jamesrouting.smtpclient.DsnRequest;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;


import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

/**
 * A delivery status notification (RFC 3464, {@code multipart/report; report-type=delivery-status})
 * for recipients that failed: a human-readable part, a {@code message/delivery-status} part
 * with each recipient's own Status, Remote-MTA and Diagnostic-Code (the remote server's reply),
 * and the original message's headers.
 */
public final class DsnComposer {
    private static final String CRLF = "\r\n";

    private DsnComposer() {
    }

    /**
     * @param failed      the recipients to report, PERMANENT (or TEMPORARY ones given up on)
     * @param reportingMta this server's name
     * @param arrival     when the original reached this server
     */
    public static MimeMessage compose(MimeMessage original, String originalSender, List<RecipientOutcome> reported, String reportingMta,
                                      String postmaster, ZonedDateTime arrival, ZonedDateTime now) throws MessagingException {
        return compose(original, originalSender, reported, DsnRequest.NONE, reportingMta, postmaster, arrival, now);
    }

    /**
     * @param request the sender's DSN request: its {@code ENVID} becomes Original-Envelope-Id,
     *                each {@code ORCPT} the recipient's Original-Recipient (RFC 3464 §2.2.1, §2.3.1)
     */
    public static MimeMessage compose(MimeMessage original, String originalSender, List<RecipientOutcome> reported, DsnRequest request,
                                      String reportingMta, String postmaster, ZonedDateTime arrival, ZonedDateTime now) throws MessagingException {
        List<RecipientOutcome> failed = reported.stream().map(DsnComposer::forTheSender).toList();
        MimeMessage dsn = new MimeMessage(Session.getInstance(new Properties()));
        dsn.setFrom(new InternetAddress(postmaster, false));
        dsn.setRecipient(MimeMessage.RecipientType.TO, new InternetAddress(originalSender, false));
        String subject = original.getSubject();
        dsn.setSubject("Undelivered Mail Returned to Sender" + (subject == null ? "" : ": " + subject), "UTF-8");
        dsn.setHeader("Auto-Submitted", "auto-replied");
        String originalId = original.getMessageID();
        if (originalId != null) {
            dsn.setHeader("In-Reply-To", originalId);
            dsn.setHeader("References", originalId);
        }

        MimeMultipart report = new MimeMultipart("report; report-type=delivery-status");
        report.addBodyPart(humanPart(failed, reportingMta, subject));
        report.addBodyPart(statusPart(failed, request, reportingMta, arrival, now));
        report.addBodyPart(headersPart(original));
        dsn.setContent(report);
        dsn.setSentDate(java.util.Date.from(now.toInstant()));
        dsn.saveChanges();
        return dsn;
    }

    private static MimeBodyPart humanPart(List<RecipientOutcome> failed, String reportingMta, String subject) throws MessagingException {
        StringBuilder text = new StringBuilder()
            .append("This is the mail system at ").append(reportingMta).append('.').append(CRLF).append(CRLF)
            .append("Your message").append(subject == null ? "" : " \"" + subject + "\"")
            .append(" could not be delivered to the following recipient(s):").append(CRLF).append(CRLF);
        for (RecipientOutcome outcome : failed) {
            text.append("<").append(outcome.recipient()).append(">: ");
            outcome.remoteMta().ifPresent(host -> text.append("host ").append(host).append(" said: "));
            text.append(outcome.diagnostic()).append(CRLF);
        }
        MimeBodyPart part = new MimeBodyPart();
        part.setText(text.toString(), "UTF-8");
        part.setDescription("Notification");
        return part;
    }

    private static MimeBodyPart statusPart(List<RecipientOutcome> failed, DsnRequest request, String reportingMta, ZonedDateTime arrival,
                                           ZonedDateTime now) throws MessagingException {
        StringBuilder status = new StringBuilder();
        request.envelopeId().ifPresent(id -> status.append("Original-Envelope-Id: ").append(oneLine(DsnRequest.xtextDecode(id))).append(CRLF));
        status.append("Reporting-MTA: dns; ").append(reportingMta).append(CRLF)
            .append("Arrival-Date: ").append(rfc822(arrival)).append(CRLF);
        for (RecipientOutcome outcome : failed) {
            status.append(CRLF);
            request.originalRecipient(outcome.recipient())
                .ifPresent(address -> status.append("Original-Recipient: rfc822; ").append(oneLine(address)).append(CRLF));
            status.append("Final-Recipient: rfc822; ").append(outcome.recipient()).append(CRLF)
                .append("Action: failed").append(CRLF)
                .append("Status: ").append(toFailureStatus(outcome.status())).append(CRLF);
            outcome.remoteMta().ifPresent(host -> status.append("Remote-MTA: dns; ").append(host).append(CRLF));
            status.append("Diagnostic-Code: ").append(outcome.remoteReply() ? "smtp; " : "X-james-routing; ")
                .append(oneLine(outcome.diagnostic())).append(CRLF)
                .append("Last-Attempt-Date: ").append(rfc822(now)).append(CRLF);
        }
        MimeBodyPart part = new MimeBodyPart();
        part.setText(status.toString(), "US-ASCII");
        part.setHeader("Content-Type", "message/delivery-status");
        part.setDescription("Delivery report");
        return part;
    }

    /**
     * What the sender, who may be outside, is told: for our own login to a relay (X.7.8 refused,
     * X.7.11 not sent for want of verified TLS) neither the relay's name nor the user name nor its
     * reply; the operator has them in the log and in status.
     */
    public static RecipientOutcome forTheSender(RecipientOutcome outcome) {
        String status = outcome.status();
        if (status.matches("[45]\\.7\\.8")) {
            return new RecipientOutcome(outcome.recipient(), outcome.kind(), status, "the relay did not accept this server's login",
                java.util.Optional.empty(), false);
        }
        if (status.matches("[45]\\.7\\.11")) {
            return new RecipientOutcome(outcome.recipient(), outcome.kind(), status,
                "no verified TLS to the relay: this server's login was not sent", java.util.Optional.empty(), false);
        }
        return outcome;
    }

    /** A temporary status given up on is reported as failed with its 5.x.x twin (RFC 3464 "failed" wants 5.x.x). */
    static String toFailureStatus(String status) {
        return status.startsWith("4.") ? "5" + status.substring(1) : status;
    }

    /** The original headers in a DSN stop at this size (Postfix's bounce_size_limit): no amplification by huge headers. */
    static final int HEADERS_LIMIT = 50_000;

    private static MimeBodyPart headersPart(MimeMessage original) throws MessagingException {
        StringBuilder headers = new StringBuilder();
        Enumeration<String> lines = original.getAllHeaderLines();
        while (lines.hasMoreElements()) {
            String line = lines.nextElement();
            if (headers.length() + line.length() + 2 > HEADERS_LIMIT) {
                headers.append("X-Headers-Truncated: the original headers are longer than ").append(HEADERS_LIMIT)
                    .append(" bytes").append(CRLF);
                break;
            }
            headers.append(line).append(CRLF);
        }
        MimeBodyPart part = new MimeBodyPart();
        part.setText(headers.toString(), "UTF-8");
        part.setHeader("Content-Type", "text/rfc822-headers");
        part.setDescription("Undelivered message headers");
        return part;
    }

    private static String oneLine(String text) {
        return text.replace("\r", " ").replace("\n", " ");
    }

    private static String rfc822(ZonedDateTime time) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.US).format(time);
    }

}
