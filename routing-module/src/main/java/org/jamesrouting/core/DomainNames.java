package org.jamesrouting.core;

import java.net.IDN;
import java.util.Locale;

import org.apache.james.core.Domain;

/**
 * One way to spell a domain everywhere in james-routing: lower case, ASCII (IDN labels in
 * punycode, as they travel in SMTP), no trailing dot. Administrators may write
 * {@code bücher.example} in a configuration file; it is stored and compared as
 * {@code xn--bcher-kva.example}.
 */
public final class DomainNames {
    private DomainNames() {
    }

    /**
     * @throws IllegalArgumentException with a readable reason when the text is not a domain name
     */
    public static Domain normalize(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty domain name");
        }
        String trimmed = text.trim();
        if (trimmed.endsWith(".")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        String ascii;
        try {
            ascii = IDN.toASCII(trimmed, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text.trim() + "' is not a valid domain name: " + e.getMessage());
        }
        try {
            return Domain.of(ascii);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text.trim() + "' is not a valid domain name: " + e.getMessage());
        }
    }

    /** The normalized form of a domain James already parsed (James keeps it lower case ASCII). */
    public static Domain normalize(Domain domain) {
        return normalize(domain.asString());
    }
}
