package org.jamesrouting.smtpclient;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The trust decision for one TLS connection of our SMTP client. The chain is always checked
 * against the trust store and the certificate's names against the expected ones, and the
 * result is kept ({@link #problem()}); only when {@code enforce} is set does a failure stop the
 * handshake. Levels {@code may} and {@code encrypt} encrypt whatever the certificate (RFC 7435),
 * and still say whether it would have verified.
 */
final class CertificateCheck extends X509ExtendedTrustManager {
    private final X509TrustManager trust;
    private final List<String> expectedNames;
    private final boolean checkNames;
    private final boolean enforce;
    private final List<org.jamesrouting.dns.TlsaLookup.Tlsa> dane;
    private volatile Optional<String> problem = Optional.of("no certificate seen");

    /** @param dane DNSSEC-validated TLSA records: when given, they decide (RFC 7672), not the trust store; else empty */
    CertificateCheck(X509TrustManager trust, List<String> expectedNames, boolean checkNames, boolean enforce,
                     List<org.jamesrouting.dns.TlsaLookup.Tlsa> dane) {
        this.dane = List.copyOf(dane);
        this.trust = trust;
        this.expectedNames = List.copyOf(expectedNames);
        this.checkNames = checkNames;
        this.enforce = enforce;
    }

    /** Whether TLSA records, not the trust store, decide. */
    boolean dane() {
        return !dane.isEmpty();
    }

    /** Empty when the certificate was verified; else why not. */
    Optional<String> problem() {
        return problem;
    }

    private void check(X509Certificate[] chain, String authType) throws CertificateException {
        if (!dane.isEmpty()) {
            problem = DaneVerifier.check(chain, dane, expectedNames, new java.util.Date()).map(why -> "DANE: " + why);
            if (enforce && problem.isPresent()) {
                throw new CertificateException(problem.get());
            }
            return;
        }
        Optional<String> found = Optional.empty();
        try {
            trust.checkServerTrusted(chain, authType);
        } catch (CertificateException e) {
            found = Optional.of("certificate not trusted: " + shortReason(e));
        }
        if (found.isEmpty() && checkNames) {
            CertificateNames names = CertificateNames.of(chain[0]);
            if (!names.matchesAny(expectedNames)) {
                found = Optional.of("certificate names " + names + ", not " + String.join(" or ", expectedNames));
            }
        }
        problem = found;
        if (enforce && found.isPresent()) {
            throw new CertificateException(found.get());
        }
    }

    private static String shortReason(CertificateException e) {
        String message = String.valueOf(e.getMessage());
        int colon = message.lastIndexOf(": ");
        return colon >= 0 && colon + 2 < message.length() ? message.substring(colon + 2) : message;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("client side only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("client side only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("client side only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return trust.getAcceptedIssuers();
    }
}
