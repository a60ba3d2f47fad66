package org.jamesrouting.delivery;

import java.util.OptionalLong;

import org.jamesrouting.smtpclient.DsnRequest;
import org.jamesrouting.smtpclient.SmtpConnection;

/**
 * What one delivery sends: names for the logs, the envelope sender ("" for none), the
 * sender's DSN request (passed on to a next hop that supports DSN), the message.
 */
public record Envelope(String mailName, String messageId, String sender, OptionalLong size, DsnRequest dsn, SmtpConnection.MessageWriter message) {
    public Envelope(String mailName, String messageId, String sender, OptionalLong size, SmtpConnection.MessageWriter message) {
        this(mailName, messageId, sender, size, DsnRequest.NONE, message);
    }
}
