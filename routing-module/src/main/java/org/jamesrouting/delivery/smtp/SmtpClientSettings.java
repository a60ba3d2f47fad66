package org.jamesrouting.delivery.smtp;

import java.time.Duration;
import java.util.Objects;

import javax.net.ssl.SSLContext;

/**
 * How our SMTP client behaves: the name it gives in EHLO, its time limits, and the TLS context
 * that decides which certificates it trusts. Certificates are always verified and the host name
 * checked, unless {@code verifyServerIdentity} is false.
 */
public record SmtpClientSettings(String heloName, Duration connectTimeout, Duration commandTimeout, Duration dataTimeout,
                                 SSLContext sslContext, boolean verifyServerIdentity) {
    public SmtpClientSettings {
        Objects.requireNonNull(heloName);
        Objects.requireNonNull(connectTimeout);
        Objects.requireNonNull(commandTimeout);
        Objects.requireNonNull(dataTimeout);
        Objects.requireNonNull(sslContext);
    }

    public static SmtpClientSettings defaults(String heloName) {
        try {
            return new SmtpClientSettings(heloName, Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofMinutes(10),
                SSLContext.getDefault(), true);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public SmtpClientSettings withSslContext(SSLContext context) {
        return new SmtpClientSettings(heloName, connectTimeout, commandTimeout, dataTimeout, context, verifyServerIdentity);
    }

    public SmtpClientSettings withTimeouts(Duration connect, Duration command, Duration data) {
        return new SmtpClientSettings(heloName, connect, command, data, sslContext, verifyServerIdentity);
    }
}
