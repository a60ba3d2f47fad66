package org.jamesrouting.bounce;

import org.jamesrouting.delivery.Envelope;
import org.jamesrouting.delivery.RecipientOutcome;
import org.jamesrouting.smtpclient.DsnRequest;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;


import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

/**
 * A delivery status notification (RFC 3464, {@code multipart/report; report-type=delivery-status})
 * for recipients that failed, are delayed, or were relayed to a next hop that does not report
 * (see {@link Action}): a human-readable part, a {@code message/delivery-status} part with each
 * recipient's own Action, Status, Remote-MTA and Diagnostic-Code (the remote server's reply),
 * and the original message's headers — the whole message instead in a failure notice when the
 * sender asked {@code RET=FULL} and it is at most {@link #FULL_RETURN_LIMIT} bytes (RFC 3461 §4.3).
 */
public final class DsnComposer {
    private static final String CRLF = "\r\n";
    /** A failed message is returned whole (RET=FULL) up to this size; beyond it, its headers. */
    public static final int FULL_RETURN_LIMIT = 1_000_000;

    /** What the notice tells, with RFC 3464's Action. */
    public enum Action {
        /** Given up on: failed for good, or deferred until {@code maxAge}. */
        FAILED("failed", "Undelivered Mail Returned to Sender", "could not be delivered to the following recipient(s):"),
        /** Still queued past {@code delayWarning}: this server keeps trying. */
        DELAYED("delayed", "Delayed Mail (still being retried)",
            "has not been delivered yet to the following recipient(s). This server keeps trying; you do not need to send it again:"),
        /** Handed to a next hop that does not offer DSN, for a sender who asked NOTIFY=SUCCESS (RFC 3461 §6.2.3). */
        RELAYED("relayed", "Successful Mail Delivery Report",
            "was relayed to the following recipient(s)' next mail server, which does not report on delivery (you may not hear more):");

        private final String field;
        private final String subject;
        private final String sentence;

        Action(String field, String subject, String sentence) {
            this.field = field;
            this.subject = subject;
            this.sentence = sentence;
        }

        /** RFC 3464's word for it: {@code failed}, {@code delayed}, {@code relayed}. */
        public String field() {
            return field;
        }

        /** The status as this notice reports it: a failure with its 5.x.x twin, a delay 4.x.x, a relay 2.x.x. */
        String status(String status) {
            char wanted = this == FAILED ? '5' : this == DELAYED ? '4' : '2';
            if (status.length() > 1 && status.charAt(1) == '.' && status.charAt(0) != wanted) {
                return this == RELAYED ? "2.0.0" : wanted + status.substring(1);
            }
            return status;
        }
    }

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
        return compose(Action.FAILED, Optional.empty(), original, originalSender, reported, request, reportingMta, postmaster, arrival, now);
    }

    /**
     * @param retryUntil for a delay notice, until when this server tries (Will-Retry-Until)
     */
    public static MimeMessage compose(Action action, Optional<ZonedDateTime> retryUntil, MimeMessage original, String originalSender,
                                      List<RecipientOutcome> reported, DsnRequest request, String reportingMta, String postmaster,
                                      ZonedDateTime arrival, ZonedDateTime now) throws MessagingException {
        List<RecipientOutcome> failed = reported.stream().map(DsnComposer::forTheSender).toList();
        MimeMessage dsn = new MimeMessage(Session.getInstance(new Properties()));
        dsn.setFrom(new InternetAddress(postmaster, false));
        dsn.setRecipient(MimeMessage.RecipientType.TO, new InternetAddress(originalSender, false));
        String subject = original.getSubject();
        dsn.setSubject(action.subject + (subject == null ? "" : ": " + subject), "UTF-8");
        dsn.setHeader("Auto-Submitted", "auto-replied");
        String originalId = original.getMessageID();
        if (originalId != null) {
            dsn.setHeader("In-Reply-To", originalId);
            dsn.setHeader("References", originalId);
        }

        MimeMultipart report = new MimeMultipart("report; report-type=delivery-status");
        report.addBodyPart(humanPart(action, retryUntil, failed, reportingMta, subject));
        report.addBodyPart(statusPart(action, retryUntil, failed, request, reportingMta, arrival, now));
        Optional<byte[]> whole = action == Action.FAILED && request.ret().filter("FULL"::equalsIgnoreCase).isPresent()
            ? wholeMessage(original) : Optional.empty();
        report.addBodyPart(whole.isPresent() ? messagePart(whole.get()) : headersPart(original));
        dsn.setContent(report);
        dsn.setSentDate(java.util.Date.from(now.toInstant()));
        dsn.saveChanges();
        return dsn;
    }

    private static MimeBodyPart humanPart(Action action, Optional<ZonedDateTime> retryUntil, List<RecipientOutcome> failed,
                                          String reportingMta, String subject) throws MessagingException {
        StringBuilder text = new StringBuilder()
            .append("This is the mail system at ").append(reportingMta).append('.').append(CRLF).append(CRLF)
            .append("Your message").append(subject == null ? "" : " \"" + subject + "\"")
            .append(" ").append(action.sentence).append(CRLF).append(CRLF);
        for (RecipientOutcome outcome : failed) {
            text.append("<").append(outcome.recipient()).append(">: ");
            outcome.remoteMta().ifPresent(host -> text.append("host ").append(host).append(" said: "));
            text.append(outcome.diagnostic()).append(CRLF);
        }
        retryUntil.ifPresent(until -> text.append(CRLF).append("This server gives up after ").append(rfc822(until))
            .append(" and will tell you then if the message is still not delivered.").append(CRLF));
        MimeBodyPart part = new MimeBodyPart();
        part.setText(text.toString(), "UTF-8");
        part.setDescription("Notification");
        return part;
    }

    private static MimeBodyPart statusPart(Action action, Optional<ZonedDateTime> retryUntil, List<RecipientOutcome> failed,
                                           DsnRequest request, String reportingMta, ZonedDateTime arrival, ZonedDateTime now)
        throws MessagingException {
        StringBuilder status = new StringBuilder();
        request.envelopeId().ifPresent(id -> status.append("Original-Envelope-Id: ").append(oneLine(DsnRequest.xtextDecode(id))).append(CRLF));
        status.append("Reporting-MTA: dns; ").append(reportingMta).append(CRLF)
            .append("Arrival-Date: ").append(rfc822(arrival)).append(CRLF);
        for (RecipientOutcome outcome : failed) {
            status.append(CRLF);
            request.originalRecipient(outcome.recipient())
                .ifPresent(address -> status.append("Original-Recipient: rfc822; ").append(oneLine(address)).append(CRLF));
            status.append("Final-Recipient: rfc822; ").append(outcome.recipient()).append(CRLF)
                .append("Action: ").append(action.field).append(CRLF)
                .append("Status: ").append(action.status(outcome.status())).append(CRLF);
            outcome.remoteMta().ifPresent(host -> status.append("Remote-MTA: dns; ").append(host).append(CRLF));
            status.append("Diagnostic-Code: ").append(outcome.remoteReply() ? "smtp; " : "X-james-routing; ")
                .append(oneLine(outcome.diagnostic())).append(CRLF)
                .append("Last-Attempt-Date: ").append(rfc822(now)).append(CRLF);
            retryUntil.ifPresent(until -> status.append("Will-Retry-Until: ").append(rfc822(until)).append(CRLF));
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

    /** The whole original, when it is small enough to send back. */
    private static Optional<byte[]> wholeMessage(MimeMessage original) throws MessagingException {
        try {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            original.writeTo(new LimitedOutputStream(bytes, FULL_RETURN_LIMIT));
            return Optional.of(bytes.toByteArray());
        } catch (LimitedOutputStream.TooBig e) {
            return Optional.empty();
        } catch (java.io.IOException e) {
            throw new MessagingException("cannot read the original message", e);
        }
    }

    private static MimeBodyPart messagePart(byte[] message) throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(new javax.activation.DataHandler(new javax.mail.util.ByteArrayDataSource(message, "message/rfc822")));
        part.setHeader("Content-Type", "message/rfc822");
        boolean eightBit = false;
        for (byte b : message) {
            if (b < 0) {
                eightBit = true;
                break;
            }
        }
        part.setHeader("Content-Transfer-Encoding", eightBit ? "8bit" : "7bit");
        part.setDescription("Undelivered message");
        return part;
    }

    /** Stops writing past a limit. */
    private static final class LimitedOutputStream extends java.io.FilterOutputStream {
        static final class TooBig extends java.io.IOException {
            TooBig() {
                super("too big");
            }
        }

        private final int limit;
        private int written;

        LimitedOutputStream(java.io.OutputStream out, int limit) {
            super(out);
            this.limit = limit;
        }

        @Override
        public void write(int b) throws java.io.IOException {
            if (++written > limit) {
                throw new TooBig();
            }
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            written += len;
            if (written > limit) {
                throw new TooBig();
            }
            out.write(b, off, len);
        }
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
