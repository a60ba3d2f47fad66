package org.jamesrouting.delivery;

import java.util.OptionalLong;

import org.jamesrouting.delivery.smtp.SmtpConnection;

/** What one delivery sends: names for the logs, the envelope sender ("" for none), the message. */
public record Envelope(String mailName, String messageId, String sender, OptionalLong size, SmtpConnection.MessageWriter message) {
}
