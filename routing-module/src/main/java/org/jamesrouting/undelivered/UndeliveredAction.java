package org.jamesrouting.undelivered;

import java.util.Locale;

import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;

/**
 * What happens to mail for a local domain's unknown recipient.
 * <ul>
 *     <li>{@code reject}: refused at SMTP RCPT time with {@code 550 5.1.1}; mail that was accepted
 *     anyway (generated inside James) is bounced instead.</li>
 *     <li>{@code bounce}: accepted, then an RFC 3464 DSN (5.1.1) goes to the sender.</li>
 *     <li>{@code forward:<address>}: delivered to a catch-all or postmaster address instead.</li>
 *     <li>{@code store:<repository url>}: kept in a James mail repository for an operator.</li>
 * </ul>
 */
public sealed interface UndeliveredAction {

    record Reject() implements UndeliveredAction {
        @Override
        public String asString() {
            return "reject";
        }
    }

    record Bounce() implements UndeliveredAction {
        @Override
        public String asString() {
            return "bounce";
        }
    }

    record Forward(MailAddress target) implements UndeliveredAction {
        @Override
        public String asString() {
            return "forward:" + target.asString();
        }
    }

    record Store(String repositoryUrl) implements UndeliveredAction {
        @Override
        public String asString() {
            return "store:" + repositoryUrl;
        }
    }

    UndeliveredAction REJECT = new Reject();
    UndeliveredAction BOUNCE = new Bounce();

    String asString();

    /**
     * @throws IllegalArgumentException naming the bad value and the accepted forms
     */
    static UndeliveredAction parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty action; expected reject, bounce, forward:<address> or store:<repository url>");
        }
        String value = text.trim();
        String lower = value.toLowerCase(Locale.ROOT);
        if (lower.equals("reject")) {
            return REJECT;
        }
        if (lower.equals("bounce")) {
            return BOUNCE;
        }
        if (lower.startsWith("forward:")) {
            String address = value.substring("forward:".length()).trim();
            try {
                return new Forward(new MailAddress(address));
            } catch (AddressException e) {
                throw new IllegalArgumentException("'" + value + "': '" + address + "' is not a mail address (" + e.getMessage() + ")");
            }
        }
        if (lower.startsWith("store:")) {
            String url = value.substring("store:".length()).trim();
            int separator = url.indexOf("://");
            if (separator <= 0 || separator + 3 >= url.length()) {
                throw new IllegalArgumentException("'" + value + "': '" + url
                    + "' is not a mail repository url such as memory://var/mail/undelivered/ or file://var/mail/undelivered/");
            }
            return new Store(url);
        }
        throw new IllegalArgumentException("'" + value + "' is not an action; expected reject, bounce, forward:<address> or store:<repository url>");
    }
}
