package org.jamesrouting.smtpclient;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import org.jamesrouting.dns.TlsaLookup.Tlsa;

/**
 * Checks a server's certificate chain against DNSSEC-validated TLSA records as RFC 7672 asks of
 * SMTP: usage 3 (DANE-EE) matches the server's own certificate or key, with no check of names
 * or dates; usage 2 (DANE-TA) matches a certificate of the chain the server sent, which must
 * then sign its way down to the server's certificate, every certificate below it in date, and
 * the server's certificate must carry one of the reference names (the MX host name, or the
 * recipient domain). Usages 0 and 1 (PKIX) are not usable with SMTP (RFC 7672 §3.1.3).
 * Selectors 0 (whole certificate) and 1 (public key), matching types 0 (exact), 1 (SHA-256)
 * and 2 (SHA-512).
 */
public final class DaneVerifier {
    private DaneVerifier() {
    }

    /** Whether a record can authenticate an SMTP server at all. */
    public static boolean usable(Tlsa record) {
        return (record.usage() == 2 || record.usage() == 3) && (record.selector() == 0 || record.selector() == 1)
            && record.matchingType() >= 0 && record.matchingType() <= 2;
    }

    /** Empty when one usable record authenticates the chain; else why none does. */
    public static Optional<String> check(X509Certificate[] chain, List<Tlsa> records, List<String> referenceNames, Date now) {
        if (chain == null || chain.length == 0) {
            return Optional.of("no certificate");
        }
        Optional<String> why = Optional.empty();
        for (Tlsa record : records) {
            if (!usable(record)) {
                continue;
            }
            if (record.usage() == 3) {
                if (matches(chain[0], record)) {
                    return Optional.empty();
                }
                continue;
            }
            for (int anchor = 1; anchor < chain.length; anchor++) {
                if (matches(chain[anchor], record)) {
                    Optional<String> problem = chainUpTo(chain, anchor, referenceNames, now);
                    if (problem.isEmpty()) {
                        return problem;
                    }
                    why = problem;
                }
            }
        }
        return Optional.of(why.orElse("no TLSA record matches the certificate (TLSA " + String.join(", ",
            records.stream().map(Tlsa::describe).map(DaneVerifier::shorten).toList()) + ")"));
    }

    private static Optional<String> chainUpTo(X509Certificate[] chain, int anchor, List<String> referenceNames, Date now) {
        try {
            for (int i = 0; i < anchor; i++) {
                chain[i].checkValidity(now);
                chain[i].verify(chain[i + 1].getPublicKey());
            }
        } catch (GeneralSecurityException e) {
            return Optional.of("the chain to the DANE-TA certificate does not hold: " + e.getMessage());
        }
        CertificateNames names = CertificateNames.of(chain[0]);
        if (!names.matchesAny(referenceNames)) {
            return Optional.of("certificate names " + names + ", not " + String.join(" or ", referenceNames) + " (DANE-TA)");
        }
        return Optional.empty();
    }

    static boolean matches(X509Certificate certificate, Tlsa record) {
        try {
            byte[] selected = record.selector() == 0 ? certificate.getEncoded() : certificate.getPublicKey().getEncoded();
            byte[] digest = switch (record.matchingType()) {
                case 0 -> selected;
                case 1 -> MessageDigest.getInstance("SHA-256").digest(selected);
                case 2 -> MessageDigest.getInstance("SHA-512").digest(selected);
                default -> null;
            };
            return digest != null && Arrays.equals(digest, record.data());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String shorten(String text) {
        return text.length() > 24 ? text.substring(0, 24) + "..." : text;
    }
}
