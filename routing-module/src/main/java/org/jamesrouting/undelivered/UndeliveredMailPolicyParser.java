package org.jamesrouting.undelivered;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.apache.james.core.Domain;
import org.jamesrouting.core.DomainNames;

/**
 * Reads the undelivered-mail rule from the two parameters of the {@code UndeliveredMailRule}
 * mailet:
 * <pre>
 *   &lt;default&gt;reject&lt;/default&gt;
 *   &lt;domains&gt;
 *       sales.example.com = forward:catchall@example.com
 *       archive.example.com = store:memory://var/mail/undelivered/
 *   &lt;/domains&gt;
 * </pre>
 * One {@code domain = action} per line (or separated by {@code ;}); {@code #} starts a comment.
 */
public final class UndeliveredMailPolicyParser {
    public static final String DEFAULT_PARAMETER = "default";
    public static final String DOMAINS_PARAMETER = "domains";

    private UndeliveredMailPolicyParser() {
    }

    /**
     * @throws InvalidPolicyException naming the parameter, the line and the problem
     */
    public static UndeliveredMailPolicy parse(Optional<String> defaultValue, Optional<String> domainsValue) {
        UndeliveredAction defaultAction = defaultValue
            .filter(value -> !value.isBlank())
            .map(value -> parseAction(value, "<" + DEFAULT_PARAMETER + ">"))
            .orElse(UndeliveredAction.REJECT);
        Map<Domain, UndeliveredAction> perDomain = new LinkedHashMap<>();
        domainsValue.ifPresent(text -> parseDomains(text, perDomain));
        return new UndeliveredMailPolicy(defaultAction, perDomain);
    }

    private static void parseDomains(String text, Map<Domain, UndeliveredAction> perDomain) {
        String[] lines = text.split("\r?\n", -1);
        for (int lineIndex = 0; lineIndex < lines.length; lineIndex++) {
            int entryNumber = 0;
            for (String rawEntry : stripComment(lines[lineIndex]).split(";")) {
                entryNumber++;
                String entry = rawEntry.trim();
                if (entry.isEmpty()) {
                    continue;
                }
                String where = "<" + DOMAINS_PARAMETER + "> line " + (lineIndex + 1)
                    + (entryNumber > 1 ? " entry " + entryNumber : "");
                int equals = entry.indexOf('=');
                if (equals < 0) {
                    throw new InvalidPolicyException(where + ": '" + entry + "' should be 'domain = action'");
                }
                Domain domain;
                try {
                    domain = DomainNames.normalize(entry.substring(0, equals));
                } catch (IllegalArgumentException e) {
                    throw new InvalidPolicyException(where + ": " + e.getMessage());
                }
                UndeliveredAction action = parseAction(entry.substring(equals + 1), where);
                if (perDomain.putIfAbsent(domain, action) != null) {
                    throw new InvalidPolicyException(where + ": domain '" + domain.asString() + "' is given twice");
                }
            }
        }
    }

    private static String stripComment(String line) {
        int hash = line.indexOf('#');
        return hash < 0 ? line : line.substring(0, hash);
    }

    private static UndeliveredAction parseAction(String value, String where) {
        try {
            return UndeliveredAction.parse(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidPolicyException(where + ": " + e.getMessage());
        }
    }

    public static class InvalidPolicyException extends IllegalArgumentException {
        public InvalidPolicyException(String message) {
            super(message);
        }
    }
}
