package org.jamesrouting.dns;

import java.util.List;

/** The answer to "where does mail for this domain go?" (RFC 5321 §5.1, RFC 7505). */
public sealed interface MxLookup {
    /** Mail hosts, best preference first (equal preferences in random order). No MX record: the domain itself. */
    /** @param authenticated DNSSEC-validated (the AD bit from a validating resolver on this machine) */
    record Hosts(List<MxHost> hosts, boolean authenticated) implements MxLookup {
        public Hosts {
            hosts = List.copyOf(hosts);
        }

        public Hosts(List<MxHost> hosts) {
            this(hosts, false);
        }
    }

    /** The domain says it takes no mail ({@code MX 0 .}): a permanent failure. */
    record NullMx() implements MxLookup {
    }

    /** NXDOMAIN: a permanent failure. */
    record NoSuchDomain() implements MxLookup {
    }

    /** SERVFAIL, timeout, no DNS server answering: try again later. */
    record Failure(String reason) implements MxLookup {
    }

    record MxHost(String host, int preference) {
    }
}
