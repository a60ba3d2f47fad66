package org.jamesrouting.smtpclient;

import java.util.Optional;

/**
 * What the TLS of one connection was: its protocol, and whether the server's certificate was
 * verified (trusted chain and an expected name), with the reason when it was not.
 */
public record TlsSession(String protocol, boolean verified, Optional<String> problem, boolean dane) {
    public TlsSession(String protocol, boolean verified, Optional<String> problem) {
        this(protocol, verified, problem, false);
    }

    /**
     * As in the one log line per attempt: {@code TLSv1.3 verified}, {@code TLSv1.3 verified by
     * DANE} (TLSA records, RFC 7672), {@code TLSv1.2 unverified (why)}.
     */
    public String describe() {
        return protocol + (verified ? " verified" + (dane ? " by DANE" : "") : " unverified" + problem.map(reason -> " (" + reason + ")").orElse(""));
    }

    /** {@code plain} for a connection without TLS. */
    public static String describe(Optional<TlsSession> session) {
        return session.map(TlsSession::describe).orElse("plain");
    }
}
