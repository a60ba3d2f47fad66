package org.jamesrouting.nexthop;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.jamesrouting.core.DomainNames;
import org.jamesrouting.route.TlsMode;

/**
 * The TLS level of direct MX delivery, per recipient domain, like Postfix's
 * {@code smtp_tls_policy_maps}: {@code <mxTls>} for every domain, and the lines of
 * {@code <mxTlsPolicy>} for some, one a line:
 * <pre>
 * partner.example   verify
 * .bank.example     secure match=.bank.example     # bank.example's subdomains
 * legacy.example    none
 * </pre>
 * A domain is looked up as itself, then as {@code .parent} for each parent domain (the nearest
 * wins), then the default applies. {@code #} starts a comment.
 */
public final class MxTlsPolicy {
    private final TlsMode defaultLevel;
    private final Map<String, TlsMode> byDomain;

    private MxTlsPolicy(TlsMode defaultLevel, Map<String, TlsMode> byDomain) {
        this.defaultLevel = defaultLevel;
        this.byDomain = Map.copyOf(byDomain);
    }

    public static MxTlsPolicy of(TlsMode defaultLevel) {
        return new MxTlsPolicy(defaultLevel, Map.of());
    }

    /**
     * @throws IllegalArgumentException "<mxTlsPolicy> line N: problem"
     */
    public static MxTlsPolicy parse(TlsMode defaultLevel, String text) {
        Map<String, TlsMode> byDomain = new LinkedHashMap<>();
        List<String> lines = text == null ? List.of() : text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String content = (hash >= 0 ? line.substring(0, hash) : line).trim();
            if (content.isEmpty()) {
                continue;
            }
            String where = "<mxTlsPolicy> line " + (i + 1);
            String[] words = content.split("\\s+");
            if (words.length < 2 || words.length > 3) {
                throw new IllegalArgumentException(where + ": expected 'domain level [match=names]', got '" + content + "'");
            }
            String key;
            try {
                key = words[0].startsWith(".") ? "." + DomainNames.normalize(words[0].substring(1)).asString()
                    : DomainNames.normalize(words[0]).asString();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": '" + words[0] + "' is not a domain: " + e.getMessage());
            }
            TlsMode level;
            try {
                level = TlsMode.parse(words[1]);
                if (level.implicit()) {
                    throw new IllegalArgumentException("implicit TLS is for relays, not for MX hosts on port 25");
                }
                if (words.length == 3) {
                    if (!words[2].toLowerCase(Locale.ROOT).startsWith("match=")) {
                        throw new IllegalArgumentException("'" + words[2] + "': expected match=names");
                    }
                    level = level.withMatch(words[2].substring("match=".length()));
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage());
            }
            if (byDomain.put(key, level) != null) {
                throw new IllegalArgumentException(where + ": " + words[0] + " is given twice");
            }
        }
        return new MxTlsPolicy(defaultLevel, byDomain);
    }

    /** The level for mail to the MX of {@code domain}. */
    public TlsMode levelFor(String domain) {
        return overrideFor(domain).map(byDomain::get).orElse(defaultLevel);
    }

    /** The line that gives {@code domain} its level: the domain itself, else its nearest {@code .parent}; empty for the default. */
    public Optional<String> overrideFor(String domain) {
        String name = domain.toLowerCase(Locale.ROOT);
        if (byDomain.containsKey(name)) {
            return Optional.of(name);
        }
        for (int dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
            if (byDomain.containsKey(name.substring(dot))) {
                return Optional.of(name.substring(dot));
            }
        }
        return Optional.empty();
    }
}
