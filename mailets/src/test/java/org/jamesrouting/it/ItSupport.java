package org.jamesrouting.it;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Callable;

import javax.mail.BodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

/** Waiting for mail to arrive somewhere, and reading delivery status notifications. */
public final class ItSupport {
    private ItSupport() {
    }

    /** Sends a small message from/to through James's SMTP port, expects 250, returns its Message-ID. */
    public static String send(InProcessJames james, String from, String to, String subject) throws Exception {
        String message = SmtpTestClient.message(from, to, subject);
        SmtpTestClient.Transaction transaction = james.send(from, java.util.List.of(to), message);
        if (transaction.dataReply() == null || transaction.dataReply().code() != 250) {
            throw new AssertionError("not accepted: " + transaction);
        }
        return SmtpTestClient.messageId(message);
    }

    /** How many messages with this Message-ID the peer received. */
    public static long arrivals(org.jamesrouting.testing.TestSmtpServer peer, String messageId) {
        return peer.received().stream().filter(received -> received.header("Message-ID").orElse("").equals(messageId)).count();
    }

    /** Polls until the probe returns non-null (30 s at most); the last probe error is reported. */
    public static <T> T await(String what, Callable<T> probe) throws Exception {
        return await(what, java.time.Duration.ofSeconds(30), probe);
    }

    public static <T> T await(String what, java.time.Duration limit, Callable<T> probe) throws Exception {
        long deadline = System.currentTimeMillis() + limit.toMillis();
        Exception last = null;
        while (System.currentTimeMillis() < deadline) {
            try {
                T result = probe.call();
                if (result != null) {
                    return result;
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(150);
        }
        throw new AssertionError("Timed out waiting for " + what + (last == null ? "" : ": " + last));
    }

    /**
     * Waits until the server has nothing left to do: the spool and the outgoing queue are empty
     * and no delivery is in flight. After that no further copy can reach a peer, so an
     * exactly-once check needs no fixed sleep.
     */
    public static void awaitSettled(WebAdminClient webAdmin) throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        await("the spool and outgoing empty, nothing in flight", () -> {
            for (String queue : java.util.List.of("spool", "outgoing")) {
                if (json.readTree(webAdmin.get("/mailQueues/" + queue).body()).path("size").asLong(-1) != 0) {
                    return null;
                }
            }
            return json.readTree(webAdmin.get("/routing/status").body()).path("inFlight").asLong(-1) == 0 ? true : null;
        });
    }

    /** How many recipient deferrals the router counted in the last hour (for "an attempt failed" without a fixed sleep). */
    public static long deferrals(WebAdminClient webAdmin) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(webAdmin.get("/routing/status").body())
            .path("lastHour").path("deferred").asLong();
    }

    /** Waits until the router has counted more deferrals than {@code before}: an attempt has failed and the mail waits for its retry. */
    public static void awaitDeferralsAbove(WebAdminClient webAdmin, long before) throws Exception {
        await("a deferral counted after " + before, () -> deferrals(webAdmin) > before ? true : null);
    }

    /** The text of the message/delivery-status part, when the message is a DSN. */
    public static Optional<String> deliveryStatus(MimeMessage message) throws Exception {
        if (!message.isMimeType("multipart/report")) {
            return Optional.empty();
        }
        MimeMultipart multipart = (MimeMultipart) message.getContent();
        for (int i = 0; i < multipart.getCount(); i++) {
            BodyPart part = multipart.getBodyPart(i);
            if (part.isMimeType("message/delivery-status")) {
                Object content = part.getContent();
                if (content instanceof InputStream stream) {
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    stream.transferTo(bytes);
                    return Optional.of(bytes.toString(StandardCharsets.US_ASCII));
                }
                return Optional.of(content.toString());
            }
        }
        return Optional.empty();
    }

    /** Waits for a DSN about {@code recipient} in the user's INBOX; the delivery-status text. */
    public static String awaitDsnFor(Mailboxes mailboxes, String user, String password, String recipient) throws Exception {
        return await("a DSN for " + recipient + " in " + user + "'s INBOX", () -> {
            for (MimeMessage message : mailboxes.inboxWhileDelivering(user, password)) {
                Optional<String> status = deliveryStatus(message);
                if (status.isPresent() && status.get().contains("Final-Recipient: rfc822; " + recipient)) {
                    if (!message.getContentType().contains("report-type=delivery-status")) {
                        throw new AssertionError("DSN without report-type=delivery-status: " + message.getContentType());
                    }
                    return status.get();
                }
            }
            return null;
        });
    }
}
