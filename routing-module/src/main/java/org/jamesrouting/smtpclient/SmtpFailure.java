package org.jamesrouting.smtpclient;

import java.io.IOException;
import java.util.Optional;

/**
 * A failed SMTP conversation with one host: what went wrong, whether it is permanent (a 5xx
 * reply: do not try elsewhere), and the server's reply when there was one.
 */
public class SmtpFailure extends IOException {
    public enum Kind {
        /** Could not connect, connection lost, timed out. */
        CONNECTION,
        /** TLS required but not offered, handshake failed, certificate refused. */
        TLS,
        /** The connection is not safe for credentials (no TLS, or an unverified certificate): nothing was sent. */
        CREDENTIALS,
        /** The server greets with our own name: the mail would come back to us (Postfix: "loops back to myself"). */
        LOOP,
        /** AUTH not offered or refused. */
        AUTH,
        /** The server answered with an error reply. */
        REPLY,
        /** The server answered something that is not SMTP. */
        PROTOCOL
    }

    private final Kind kind;
    private final SmtpReply reply;

    public SmtpFailure(Kind kind, String message, SmtpReply reply, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.reply = reply;
    }

    public static SmtpFailure reply(String stage, SmtpReply reply) {
        return new SmtpFailure(Kind.REPLY, stage + " answered " + reply, reply, null);
    }

    public Kind kind() {
        return kind;
    }

    public Optional<SmtpReply> reply() {
        return Optional.ofNullable(reply);
    }

    /**
     * Only a 5xx reply to the conversation itself (greeting, EHLO, MAIL) is permanent. A refused
     * AUTH (even 535) is not: a wrong password is the administrator's to fix, the mail waits.
     */
    public boolean isPermanent() {
        return kind == Kind.REPLY && reply != null && reply.isPermanent();
    }
}
