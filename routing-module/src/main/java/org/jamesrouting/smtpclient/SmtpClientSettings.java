package org.jamesrouting.smtpclient;

import org.jamesrouting.route.SourceIdentity;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * How our SMTP client behaves: the name it gives in EHLO, its time limits, and the trust store
 * that decides which certificate chains it trusts. What a connection does with an untrusted
 * certificate is its TLS level's business ({@link org.jamesrouting.route.TlsMode}); with
 * {@code verifyServerIdentity} false the names in certificates are not checked (the chain still
 * is). {@code identity}: a route's own local address and EHLO name ({@code heloName} stays the
 * server's own name, which a greeting must not carry: that would be a loop to ourselves).
 */
public record SmtpClientSettings(String heloName, Duration connectTimeout, Duration commandTimeout, Duration dataTimeout,
                                 X509TrustManager trust, boolean verifyServerIdentity, SourceIdentity identity) {
    public SmtpClientSettings(String heloName, Duration connectTimeout, Duration commandTimeout, Duration dataTimeout,
                              X509TrustManager trust, boolean verifyServerIdentity) {
        this(heloName, connectTimeout, commandTimeout, dataTimeout, trust, verifyServerIdentity, SourceIdentity.DEFAULT);
    }

    public SmtpClientSettings {
        Objects.requireNonNull(identity);
        Objects.requireNonNull(heloName);
        Objects.requireNonNull(connectTimeout);
        Objects.requireNonNull(commandTimeout);
        Objects.requireNonNull(dataTimeout);
        Objects.requireNonNull(trust);
    }

    public static SmtpClientSettings defaults(String heloName) {
        return new SmtpClientSettings(heloName, Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofMinutes(10),
            trusting(null), true);
    }

    /** The certificate authorities of {@code store}; the JVM's (cacerts) when it is null. */
    public static X509TrustManager trusting(KeyStore store) {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return Arrays.stream(factory.getTrustManagers())
                .filter(X509TrustManager.class::isInstance)
                .map(X509TrustManager.class::cast)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no X.509 trust manager"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the trust store: " + e.getMessage(), e);
        }
    }

    public SmtpClientSettings withTrust(X509TrustManager trust) {
        return new SmtpClientSettings(heloName, connectTimeout, commandTimeout, dataTimeout, trust, verifyServerIdentity, identity);
    }

    /** These settings for connections from {@code identity} (a route's own address and EHLO name). */
    public SmtpClientSettings from(SourceIdentity identity) {
        return identity.equals(this.identity) ? this
            : new SmtpClientSettings(heloName, connectTimeout, commandTimeout, dataTimeout, trust, verifyServerIdentity, identity);
    }

    /** The name EHLO gives: the route's own, else the server's. */
    public String ehloName() {
        return identity.helo().orElse(heloName);
    }

    public SmtpClientSettings withTimeouts(Duration connect, Duration command, Duration data) {
        return new SmtpClientSettings(heloName, connect, command, data, trust, verifyServerIdentity, identity);
    }
}
