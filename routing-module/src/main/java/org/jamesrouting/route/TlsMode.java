package org.jamesrouting.route;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import org.jamesrouting.core.DomainNames;

/**
 * How a connection to a mail host is protected: a security {@link Level} as Postfix names them
 * ({@code smtp_tls_security_level}), whether TLS starts with the first byte (implicit TLS, port
 * 465) instead of STARTTLS, and for {@code secure} the names the certificate must carry.
 * <p>
 * Written {@code none}, {@code may}, {@code encrypt}, {@code verify}, {@code secure},
 * {@code implicit} (implicit TLS, verified), {@code implicit-encrypt}, {@code implicit-secure};
 * the older words {@code starttls} (= may) and {@code starttls-required} (= verify, which it
 * always did: the certificate was checked) are still read.
 */
public record TlsMode(Level level, boolean implicit, List<String> match) {
    public enum Level {
        /** Plain SMTP; STARTTLS is not used even when offered. */
        NONE("none"),
        /** Opportunistic (RFC 7435): TLS when offered, whatever the certificate; plain only when STARTTLS is not offered. */
        MAY("may"),
        /** TLS or nothing; the certificate is not checked. */
        ENCRYPT("encrypt"),
        /** TLS or nothing; the chain must be trusted and the certificate must name the host connected to. */
        VERIFY("verify"),
        /** TLS or nothing; trusted chain, and the certificate must carry one of the names listed (default: the next hop). */
        SECURE("secure"),
        /**
         * Opportunistic DANE (RFC 7672), for MX hosts: where DNSSEC-validated TLSA records exist,
         * TLS verified by them or nothing; elsewhere as {@code may}.
         */
        DANE("dane"),
        /** DANE or nothing: an MX host without DNSSEC-validated TLSA records gets no mail. */
        DANE_ONLY("dane-only");

        private final String word;

        Level(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }

        /** TLS or nothing. */
        public boolean mandatory() {
            return this != NONE && this != MAY && this != DANE;
        }
    }

    public static final TlsMode NONE = new TlsMode(Level.NONE, false, List.of());
    public static final TlsMode MAY = new TlsMode(Level.MAY, false, List.of());
    public static final TlsMode ENCRYPT = new TlsMode(Level.ENCRYPT, false, List.of());
    public static final TlsMode VERIFY = new TlsMode(Level.VERIFY, false, List.of());
    public static final TlsMode SECURE = new TlsMode(Level.SECURE, false, List.of());
    /** Implicit TLS (SMTPS), certificate verified. */
    public static final TlsMode IMPLICIT = new TlsMode(Level.VERIFY, true, List.of());

    public static final TlsMode DANE = new TlsMode(Level.DANE, false, List.of());
    public static final TlsMode DANE_ONLY = new TlsMode(Level.DANE_ONLY, false, List.of());

    private static final List<String> WORDS = List.of("none", "may", "encrypt", "verify", "secure", "dane", "dane-only", "implicit",
        "implicit-encrypt", "implicit-secure");

    public TlsMode {
        Objects.requireNonNull(level);
        match = List.copyOf(match);
        if (implicit && !level.mandatory()) {
            throw new IllegalArgumentException("implicit TLS is always TLS: its level is encrypt, verify or secure");
        }
        if (!match.isEmpty() && level != Level.SECURE) {
            throw new IllegalArgumentException("tls-match is for tls=secure (or implicit-secure), not " + level.word());
        }
    }

    public static TlsMode parse(String text) {
        String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "none" -> NONE;
            case "may", "starttls" -> MAY;
            case "encrypt" -> ENCRYPT;
            case "verify", "starttls-required" -> VERIFY;
            case "secure" -> SECURE;
            case "dane" -> DANE;
            case "dane-only" -> DANE_ONLY;
            case "implicit", "implicit-verify" -> IMPLICIT;
            case "implicit-encrypt" -> new TlsMode(Level.ENCRYPT, true, List.of());
            case "implicit-secure" -> new TlsMode(Level.SECURE, true, List.of());
            default -> throw new IllegalArgumentException("'" + text + "' is not a TLS level; expected one of "
                + String.join(", ", WORDS) + " (or the older starttls, starttls-required)");
        };
    }

    /**
     * The names a {@code secure} certificate must carry: host names, or {@code .example.com} for
     * any name below example.com. Comma or colon separated, as Postfix's {@code match=}.
     */
    public TlsMode withMatch(String names) {
        List<String> parsed = Arrays.stream(names.split("[,:]"))
            .map(String::trim)
            .filter(name -> !name.isEmpty())
            .map(name -> name.startsWith(".") ? "." + DomainNames.normalize(name.substring(1)).asString()
                : DomainNames.normalize(name).asString())
            .toList();
        if (parsed.isEmpty()) {
            throw new IllegalArgumentException("tls-match '" + names + "' names no host");
        }
        return new TlsMode(level, implicit, parsed);
    }

    /** TLS or nothing. */
    public boolean mandatory() {
        return level.mandatory();
    }

    /** A DANE level: the MX host's TLSA records decide (resolved per host before connecting). */
    public boolean dane() {
        return level == Level.DANE || level == Level.DANE_ONLY;
    }

    /**
     * The names of which the certificate must carry one, connecting to {@code host}: the names
     * of {@code tls-match} at level secure; else at secure for an MX, the recipient domain and
     * any name below it (Postfix's "nexthop, dot-nexthop": the MX host name, which DNS gave us
     * without a signature, is not trusted); else the host connected to.
     */
    public List<String> certificateNames(String host, java.util.Optional<String> mxDomain) {
        if (level == Level.SECURE) {
            if (!match.isEmpty()) {
                return match;
            }
            if (mxDomain.isPresent()) {
                return List.of(mxDomain.get(), "." + mxDomain.get());
            }
        }
        return List.of(host);
    }

    /** The certificate must be trusted and carry the expected name, or nothing is sent. */
    public boolean verifies() {
        return level == Level.VERIFY || level == Level.SECURE || level == Level.DANE_ONLY;
    }

    /** The word written in routes.conf and JSON ({@code tls-match} apart). */
    public String asString() {
        if (!implicit) {
            return level.word();
        }
        return level == Level.VERIFY ? "implicit" : "implicit-" + level.word();
    }

    /**
     * What the level does connecting to {@code host}, in words, for explain: e.g.
     * {@code verify: TLS required, trusted certificate naming mx.example.net}.
     */
    public String explain(String host, java.util.Optional<String> mxDomain, java.util.Optional<String> authUser) {
        String names = String.join(" or ", certificateNames(host, mxDomain));
        String what = switch (level) {
            case NONE -> "plain, STARTTLS not used";
            case MAY -> "TLS when offered, whatever the certificate; plain when STARTTLS is not offered";
            case ENCRYPT -> "TLS required, certificate not checked";
            case VERIFY, SECURE -> "TLS required, trusted certificate naming " + names;
            case DANE -> "where DNSSEC-signed TLSA records exist, TLS verified by them or nothing; elsewhere TLS when offered";
            case DANE_ONLY -> "TLS verified by DNSSEC-signed TLSA records, or nothing";
        };
        String credentials = authUser.map(user -> "; AUTH as " + user + " only over "
            + (level == Level.ENCRYPT ? "TLS" : "TLS with a trusted certificate naming " + names)).orElse("");
        return asString() + ": " + what + (implicit ? " (implicit TLS from the first byte)" : "") + credentials;
    }

    /** The level with its match names, for explain and logs. */
    public String describe() {
        return asString() + (match.isEmpty() ? "" : " match=" + String.join(":", match));
    }

    @Override
    public String toString() {
        return describe();
    }
}
