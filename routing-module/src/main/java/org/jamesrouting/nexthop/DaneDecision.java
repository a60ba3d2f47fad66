package org.jamesrouting.nexthop;

import java.util.List;

import org.jamesrouting.smtpclient.DaneVerifier;
import org.jamesrouting.dns.TlsaLookup;
import org.jamesrouting.route.TlsMode;

/**
 * What the levels {@code dane} and {@code dane-only} make of one MX host (RFC 7672 §2.2): DANE
 * applies only when the MX records, the host's address records and its TLSA records are all
 * DNSSEC-validated. Then the host gets TLS verified by its usable TLSA records or no mail
 * ({@link Kind#DANE}, connection level {@code dane-only}); TLSA records of which none is usable
 * still mean TLS, unauthenticated ({@code encrypt}). Where DNSSEC does not vouch for the
 * records, {@code dane} falls back to {@code may} and {@code dane-only} skips the host; a TLSA
 * lookup that fails skips the host at both levels (its records may exist: an attacker who
 * blocks them must not get the mail in clear).
 */
public record DaneDecision(Kind kind, TlsMode tls, List<TlsaLookup.Tlsa> records, String reason) {
    public enum Kind {
        /** Connect, and the certificate must match one of {@code records}. */
        DANE,
        /** Connect at {@code tls}, DANE does not apply (an MTA-STS policy may). */
        WITHOUT_DANE,
        /** Do not connect to this host: {@code reason}. */
        SKIP
    }

    public DaneDecision {
        records = List.copyOf(records);
    }

    /** The decision for one MX host, its address and TLSA records asked (through {@code dns}) only when everything before was validated. */
    public static DaneDecision lookUp(org.jamesrouting.dns.MailDns dns, TlsMode level, String domain, String host, boolean mxAuthenticated,
                                      int port) {
        boolean addressAuthenticated = mxAuthenticated
            && dns.addresses(host) instanceof org.jamesrouting.dns.AddressLookup.Found found && found.authenticated();
        TlsaLookup tlsa = addressAuthenticated ? dns.tlsa(host, port) : new TlsaLookup.NotFound(false);
        return decide(level, domain, host, mxAuthenticated, addressAuthenticated, tlsa);
    }

    public static DaneDecision decide(TlsMode level, String domain, String host, boolean mxAuthenticated, boolean addressAuthenticated,
                                      TlsaLookup tlsa) {
        if (!level.dane()) {
            return new DaneDecision(Kind.WITHOUT_DANE, level, List.of(), "");
        }
        if (!mxAuthenticated) {
            return insecure(level, "the MX records of " + domain + " are not DNSSEC-validated");
        }
        if (!addressAuthenticated) {
            return insecure(level, "the address records of " + host + " are not DNSSEC-validated");
        }
        if (tlsa instanceof TlsaLookup.Failure failure) {
            return new DaneDecision(Kind.SKIP, level, List.of(), "the TLSA lookup of " + host + " failed (" + failure.reason()
                + "): the host is not used (RFC 7672 §2.2)");
        }
        if (tlsa instanceof TlsaLookup.Found found && found.authenticated()) {
            List<TlsaLookup.Tlsa> usable = found.records().stream().filter(DaneVerifier::usable).toList();
            if (usable.isEmpty()) {
                return new DaneDecision(Kind.WITHOUT_DANE, TlsMode.ENCRYPT, List.of(),
                    "TLSA records of " + host + " exist but none is usable (only DANE-TA(2) and DANE-EE(3) are): TLS, unauthenticated");
            }
            return new DaneDecision(Kind.DANE, TlsMode.DANE_ONLY, usable, "DANE: " + usable.size() + " usable TLSA record(s) for " + host);
        }
        return insecure(level, "no DNSSEC-validated TLSA record for " + host);
    }

    private static DaneDecision insecure(TlsMode level, String why) {
        if (level.level() == TlsMode.Level.DANE_ONLY) {
            return new DaneDecision(Kind.SKIP, level, List.of(), why + "; dane-only sends nothing without DANE");
        }
        return new DaneDecision(Kind.WITHOUT_DANE, TlsMode.MAY, List.of(), why + ": TLS when offered (dane falls back to may)");
    }
}
