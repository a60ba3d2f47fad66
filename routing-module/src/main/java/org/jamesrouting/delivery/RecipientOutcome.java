package org.jamesrouting.delivery;

import java.util.Optional;

/**
 * What happened to one recipient: delivered (to which hop), failed for good (5xx: a DSN), or
 * not yet (4xx, nobody reachable: retry later). {@code status} is an RFC 3463 code such as
 * 5.1.1; {@code diagnostic} the remote reply or our reason; {@code remoteMta} the host that
 * answered, when one did; {@code tls} the protection of the connection that answered
 * ({@code TLSv1.3 verified}, {@code plain}, see {@link org.jamesrouting.smtpclient.TlsSession});
 * {@code dsnPassedOn} the server that took the mail announced DSN and got the sender's request
 * (RFC 3461): it, not we, reports further.
 */
public record RecipientOutcome(String recipient, Kind kind, String status, String diagnostic, Optional<String> remoteMta,
                               boolean remoteReply, Optional<String> tls, boolean dsnPassedOn) {
    public enum Kind { DELIVERED, PERMANENT, TEMPORARY }

    /** An outcome decided without a server's reply on a connection. */
    public RecipientOutcome(String recipient, Kind kind, String status, String diagnostic, Optional<String> remoteMta,
                            boolean remoteReply) {
        this(recipient, kind, status, diagnostic, remoteMta, remoteReply, Optional.empty(), false);
    }

    public boolean delivered() {
        return kind == Kind.DELIVERED;
    }
}
