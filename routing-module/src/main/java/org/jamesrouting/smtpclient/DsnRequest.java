package org.jamesrouting.smtpclient;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the sender asked of delivery status notifications (RFC 3461), as it came in with the
 * mail: {@code RET} and {@code ENVID} of its {@code MAIL FROM}, {@code NOTIFY} and {@code ORCPT}
 * of each {@code RCPT TO}. Passed on unchanged to a next hop that announces {@code DSN}
 * (§4, as James's own RemoteDelivery does); read when we write a DSN ourselves.
 *
 * @param ret        {@code FULL} or {@code HDRS}, when given
 * @param envelopeId the {@code ENVID}, as given (xtext)
 * @param recipients per recipient address (as written on {@code RCPT TO}) the parameters given
 */
public record DsnRequest(Optional<String> ret, Optional<String> envelopeId, Map<String, Recipient> recipients) {
    public static final DsnRequest NONE = new DsnRequest(Optional.empty(), Optional.empty(), Map.of());

    /**
     * @param notifyOn          {@code NEVER}, or some of {@code SUCCESS}, {@code FAILURE}, {@code DELAY};
     *                          empty when the sender gave no {@code NOTIFY}
     * @param originalRecipient the {@code ORCPT} address (an {@code rfc822} one), when given
     */
    public record Recipient(Set<String> notifyOn, Optional<String> originalRecipient) {
        public Recipient {
            notifyOn = Set.copyOf(new TreeSet<>(notifyOn.stream().map(value -> value.toUpperCase(Locale.ROOT)).toList()));
        }
    }

    public DsnRequest {
        recipients = Map.copyOf(recipients);
    }

    /** {@code " RET=HDRS ENVID=..."}, or "" when the sender gave neither. */
    public String mailParameters() {
        StringBuilder parameters = new StringBuilder();
        ret.ifPresent(value -> parameters.append(" RET=").append(value));
        envelopeId.ifPresent(value -> parameters.append(" ENVID=").append(value));
        return parameters.toString();
    }

    /** {@code " NOTIFY=FAILURE,SUCCESS ORCPT=rfc822;..."} for one recipient, or "". */
    public String rcptParameters(String recipient) {
        Recipient given = recipients.get(recipient);
        if (given == null) {
            return "";
        }
        StringBuilder parameters = new StringBuilder();
        if (!given.notifyOn().isEmpty()) {
            parameters.append(" NOTIFY=").append(String.join(",", new TreeSet<>(given.notifyOn())));
        }
        given.originalRecipient().ifPresent(address -> parameters.append(" ORCPT=rfc822;").append(xtext(address)));
        return parameters.toString();
    }

    /** Whether the sender wants to hear that delivery to this recipient failed (no NOTIFY: yes; NOTIFY without FAILURE: no). */
    public boolean wantsFailureNotice(String recipient) {
        return notifiesOn(recipient, "FAILURE", true);
    }

    /** Whether the sender wants to hear that delivery to this recipient is delayed (no NOTIFY: yes, RFC 3461 §4.1). */
    public boolean wantsDelayNotice(String recipient) {
        return notifiesOn(recipient, "DELAY", true);
    }

    /** Whether the sender asked to hear of successful delivery to this recipient (only when it said NOTIFY=SUCCESS). */
    public boolean wantsSuccessNotice(String recipient) {
        return notifiesOn(recipient, "SUCCESS", false);
    }

    /** Whether the recipient's NOTIFY names {@code event}; {@code byDefault} when it gave no NOTIFY. */
    private boolean notifiesOn(String recipient, String event, boolean byDefault) {
        Recipient given = recipients.get(recipient);
        return given == null || given.notifyOn().isEmpty() ? byDefault : given.notifyOn().contains(event);
    }

    public Optional<String> originalRecipient(String recipient) {
        return Optional.ofNullable(recipients.get(recipient)).flatMap(Recipient::originalRecipient);
    }

    /** The text an xtext stands for ("+XX" is the byte XX; a malformed escape is kept as it is). */
    public static String xtextDecode(String xtext) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < xtext.length(); i++) {
            char c = xtext.charAt(i);
            if (c == '+' && i + 2 < xtext.length()
                && Character.digit(xtext.charAt(i + 1), 16) >= 0 && Character.digit(xtext.charAt(i + 2), 16) >= 0) {
                bytes.write(Integer.parseInt(xtext.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** RFC 3461 §4: xtext, "+" and "=" and characters outside "!".."~" as "+XX" (hex of each UTF-8 byte). */
    static String xtext(String text) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 33 && c <= 126 && c != '+' && c != '=') {
                encoded.append((char) c);
            } else {
                encoded.append('+').append(String.format(Locale.ROOT, "%02X", c));
            }
        }
        return encoded.toString();
    }
}
