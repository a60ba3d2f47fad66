package org.jamesrouting.route;

import java.util.Locale;
import java.util.Objects;

import org.jamesrouting.core.DomainNames;

/**
 * Which recipient addresses a route is for. Case-insensitive; domains in punycode.
 * <table>
 *     <tr><td>{@code *}</td><td>every address</td></tr>
 *     <tr><td>{@code example.com}</td><td>addresses of example.com</td></tr>
 *     <tr><td>{@code *.example.com}</td><td>addresses of its subdomains (not example.com itself)</td></tr>
 *     <tr><td>{@code .example.com}</td><td>example.com and its subdomains</td></tr>
 *     <tr><td>{@code user@example.com}</td><td>that address</td></tr>
 *     <tr><td>{@code user@*}</td><td>that local part in any domain</td></tr>
 *     <tr><td>{@code sales*@example.com}, {@code mx?.example.com}, {@code order%%@*.shop.test}</td>
 *         <td>any other pattern with {@code *} (any run of characters), {@code ?} (one character) or
 *         {@code %} (one digit): the whole address, or the domain when there is no {@code @}
 *         ({@link Wildcard})</td></tr>
 * </table>
 * The first six kinds are found by hash lookups in a {@link RoutingTable}; wildcard patterns
 * are tried one by one, so keep them to the routes that need them.
 */
public final class AddressPattern {
    public enum Kind {
        ANY, DOMAIN, SUBDOMAINS, DOMAIN_AND_SUBDOMAINS, ADDRESS, LOCAL_PART, WILDCARD
    }

    public static final AddressPattern ANY = new AddressPattern(Kind.ANY, null, null, null);

    private final Kind kind;
    private final String localPart;
    private final String domain;
    /** For WILDCARD: matched against the whole address if it has an '@', else against the domain. */
    private final Wildcard wildcard;

    private AddressPattern(Kind kind, String localPart, String domain, Wildcard wildcard) {
        this.kind = kind;
        this.localPart = localPart;
        this.domain = domain;
        this.wildcard = wildcard;
    }

    private AddressPattern(Kind kind, String localPart, String domain) {
        this(kind, localPart, domain, null);
    }

    /**
     * @throws IllegalArgumentException naming the pattern and what is wrong with it
     */
    public static AddressPattern parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty address pattern");
        }
        String value = text.trim();
        if (value.equals("*")) {
            return ANY;
        }
        if (isGeneralWildcard(value)) {
            return wildcard(value);
        }
        int at = value.lastIndexOf('@');
        if (at >= 0) {
            String local = value.substring(0, at);
            String domainText = value.substring(at + 1);
            checkLocalPart(value, local);
            if (domainText.equals("*")) {
                return new AddressPattern(Kind.LOCAL_PART, normalizeLocal(local), null);
            }
            return new AddressPattern(Kind.ADDRESS, normalizeLocal(local), domainOf(value, domainText));
        }
        if (value.startsWith("*.")) {
            return new AddressPattern(Kind.SUBDOMAINS, null, domainOf(value, value.substring(2)));
        }
        if (value.startsWith(".")) {
            return new AddressPattern(Kind.DOMAIN_AND_SUBDOMAINS, null, domainOf(value, value.substring(1)));
        }
        return new AddressPattern(Kind.DOMAIN, null, domainOf(value, value));
    }

    /** Wildcards other than the indexed forms '*', '*.domain' and 'user@*'. */
    private static boolean isGeneralWildcard(String value) {
        int at = value.lastIndexOf('@');
        if (at < 0) {
            return Wildcard.hasWildcard(value.startsWith("*.") ? value.substring(2) : value);
        }
        String domain = value.substring(at + 1);
        return Wildcard.hasWildcard(value.substring(0, at)) || !domain.equals("*") && Wildcard.hasWildcard(domain);
    }

    private static AddressPattern wildcard(String value) {
        if (value.chars().anyMatch(c -> c <= ' ' || c == '<' || c == '>' || c == ',')) {
            throw new IllegalArgumentException("'" + value + "': a space or one of < > , in a pattern");
        }
        int at = value.lastIndexOf('@');
        if (at == 0 || at == value.length() - 1) {
            throw new IllegalArgumentException("'" + value + "': empty " + (at == 0 ? "user" : "domain") + " part");
        }
        return new AddressPattern(Kind.WILDCARD, null, null, Wildcard.parse(value.toLowerCase(Locale.ROOT)));
    }

    private static void checkLocalPart(String pattern, String local) {
        if (local.isEmpty()) {
            throw new IllegalArgumentException("'" + pattern + "': empty user part before '@'");
        }
        if (local.chars().anyMatch(c -> c <= ' ' || c == '<' || c == '>' || c == ',' || c == '@')) {
            throw new IllegalArgumentException("'" + pattern + "': the user part has a space or one of < > , @");
        }
    }

    private static String domainOf(String pattern, String domainText) {
        try {
            return DomainNames.normalize(domainText).asString();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + pattern + "': " + e.getMessage());
        }
    }

    static String normalizeLocal(String local) {
        return local.toLowerCase(Locale.ROOT);
    }

    /** Both arguments already normalized: local part lower case, domain as {@link DomainNames} gives it. */
    public boolean matches(String normalizedLocalPart, String normalizedDomain) {
        return switch (kind) {
            case ANY -> true;
            case DOMAIN -> domain.equals(normalizedDomain);
            case SUBDOMAINS -> isStrictSubdomain(normalizedDomain);
            case DOMAIN_AND_SUBDOMAINS -> domain.equals(normalizedDomain) || isStrictSubdomain(normalizedDomain);
            case ADDRESS -> localPart.equals(normalizedLocalPart) && domain.equals(normalizedDomain);
            case LOCAL_PART -> localPart.equals(normalizedLocalPart);
            case WILDCARD -> wildcard.matches(wildcard.asString().indexOf('@') >= 0
                ? normalizedLocalPart + "@" + normalizedDomain : normalizedDomain);
        };
    }

    private boolean isStrictSubdomain(String candidate) {
        return candidate.length() > domain.length() + 1
            && candidate.endsWith(domain)
            && candidate.charAt(candidate.length() - domain.length() - 1) == '.';
    }

    public Kind kind() {
        return kind;
    }

    /** The local part, for ADDRESS and LOCAL_PART patterns; else null. */
    public String localPart() {
        return localPart;
    }

    /** The domain, for DOMAIN, SUBDOMAINS, DOMAIN_AND_SUBDOMAINS and ADDRESS patterns; else null. */
    public String domain() {
        return domain;
    }

    public String asString() {
        return switch (kind) {
            case ANY -> "*";
            case DOMAIN -> domain;
            case SUBDOMAINS -> "*." + domain;
            case DOMAIN_AND_SUBDOMAINS -> "." + domain;
            case ADDRESS -> localPart + "@" + domain;
            case LOCAL_PART -> localPart + "@*";
            case WILDCARD -> wildcard.asString();
        };
    }

    /** In words, for "explain". */
    public String describe() {
        return switch (kind) {
            case ANY -> "every address";
            case DOMAIN -> "the domain " + domain;
            case SUBDOMAINS -> "the subdomains of " + domain;
            case DOMAIN_AND_SUBDOMAINS -> domain + " and its subdomains";
            case ADDRESS -> "the address " + localPart + "@" + domain;
            case LOCAL_PART -> "the user " + localPart + " in any domain";
            case WILDCARD -> (wildcard.asString().indexOf('@') >= 0 ? "addresses" : "domains") + " matching the wildcard "
                + wildcard.asString() + " (* any characters, ? one, % one digit)";
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AddressPattern other && kind == other.kind
            && Objects.equals(localPart, other.localPart) && Objects.equals(domain, other.domain)
            && Objects.equals(wildcard, other.wildcard);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, localPart, domain, wildcard);
    }

    @Override
    public String toString() {
        return asString();
    }
}
