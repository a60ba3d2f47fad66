package org.jamesrouting.nexthop;

import java.util.List;
import java.util.Optional;

import org.jamesrouting.dns.MailDns;
import org.jamesrouting.dns.TlsaLookup;
import org.jamesrouting.mtasts.MtaStsPolicies;
import org.jamesrouting.route.TlsMode;

/**
 * What one MX host gets, decided the same way for delivery and for explain: at a DANE level
 * its {@link DaneDecision} first (DANE, where it applies, wins over MTA-STS, RFC 8461 §2), then
 * the domain's MTA-STS policy, if any, on the level that is left.
 *
 * @param refusedBy empty for a host that may be connected to; else {@code DANE} or {@code MTA-STS enforce}
 * @param refusal why the host is refused (empty when it is not)
 * @param tls the level of the connection
 * @param dane the TLSA records that verify the certificate, when DANE applies
 * @param underPolicy the domain's MTA-STS policy applies to this connection
 * @param daneReason at a DANE level, what DANE made of the host (else empty)
 */
public record MxHostTls(String refusedBy, String refusal, TlsMode tls, List<TlsaLookup.Tlsa> dane, boolean underPolicy,
                        String daneReason) {
    public MxHostTls {
        dane = List.copyOf(dane);
    }

    public boolean allowed() {
        return refusedBy.isEmpty();
    }

    /**
     * @param level the domain's configured level
     * @param sts the domain's MTA-STS policy in force, if it has one and it applies
     */
    public static MxHostTls decide(MailDns dns, TlsMode level, String domain, String host, boolean mxAuthenticated, int port,
                                   Optional<MtaStsPolicies.Finding> sts) {
        TlsMode configured = level;
        String daneReason = "";
        if (level.dane()) {
            DaneDecision dane = DaneDecision.lookUp(dns, level, domain, host, mxAuthenticated, port);
            switch (dane.kind()) {
                case SKIP -> {
                    return new MxHostTls("DANE", dane.reason(), dane.tls(), List.of(), false, dane.reason());
                }
                case DANE -> {
                    return new MxHostTls("", "", dane.tls(), dane.records(), false, dane.reason());
                }
                case WITHOUT_DANE -> {
                    configured = dane.tls();
                    daneReason = dane.reason();
                }
            }
        }
        TlsMode left = configured;
        MtaStsPolicies.Decision decision = sts.map(finding -> finding.decide(left, host)).orElse(new MtaStsPolicies.Decision(true, left));
        if (!decision.allowed()) {
            return new MxHostTls("MTA-STS enforce", "not in the MTA-STS policy of " + domain + " ("
                + sts.get().policy().get().policy().describe() + ")", left, List.of(), false, daneReason);
        }
        return new MxHostTls("", "", decision.tls(), List.of(), sts.isPresent(), daneReason);
    }
}
