package org.jamesrouting.delivery;

import java.util.Optional;

/**
 * What happened to one recipient: delivered (to which hop), failed for good (5xx: a DSN), or
 * not yet (4xx, nobody reachable: retry later). {@code status} is an RFC 3463 code such as
 * 5.1.1; {@code diagnostic} the remote reply or our reason; {@code remoteMta} the host that
 * answered, when one did.
 */
public record RecipientOutcome(String recipient, Kind kind, String status, String diagnostic, Optional<String> remoteMta,
                               boolean remoteReply) {
    public enum Kind { DELIVERED, PERMANENT, TEMPORARY }

    public boolean delivered() {
        return kind == Kind.DELIVERED;
    }
}
