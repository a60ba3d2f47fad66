package org.jamesrouting.dns;

import java.net.InetAddress;
import java.util.List;

/** The A/AAAA addresses of a host. */
public sealed interface AddressLookup {
    /** @param authenticated DNSSEC-validated (the AD bit from a validating resolver on this machine) */
    record Found(List<InetAddress> addresses, boolean authenticated) implements AddressLookup {
        public Found {
            addresses = List.copyOf(addresses);
        }

        public Found(List<InetAddress> addresses) {
            this(addresses, false);
        }
    }

    /** NXDOMAIN or no A/AAAA record. */
    record NotFound() implements AddressLookup {
    }

    /** SERVFAIL, timeout: try again later. */
    record Failure(String reason) implements AddressLookup {
    }
}
