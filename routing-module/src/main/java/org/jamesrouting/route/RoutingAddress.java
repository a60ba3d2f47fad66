package org.jamesrouting.route;

import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;
import org.jamesrouting.core.DomainNames;

/** A recipient address as routing compares it: local part in lower case, domain normalized. */
public record RoutingAddress(String localPart, String domain) {
    public static RoutingAddress of(MailAddress address) {
        return new RoutingAddress(AddressPattern.normalizeLocal(address.getLocalPart()),
            DomainNames.normalize(address.getDomain()).asString());
    }

    /**
     * @throws IllegalArgumentException when the text is not a mail address
     */
    public static RoutingAddress parse(String text) {
        try {
            return of(new MailAddress(text == null ? "" : text.trim()));
        } catch (AddressException e) {
            throw new IllegalArgumentException("'" + text + "' is not a mail address: " + e.getMessage());
        }
    }

    public String asString() {
        return localPart + "@" + domain;
    }
}
