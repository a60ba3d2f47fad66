package org.jamesrouting.dns;

import java.net.InetAddress;
import java.util.List;

/** The A/AAAA addresses of a host. */
public sealed interface AddressLookup {
    record Found(List<InetAddress> addresses) implements AddressLookup {
        public Found {
            addresses = List.copyOf(addresses);
        }
    }

    /** NXDOMAIN or no A/AAAA record. */
    record NotFound() implements AddressLookup {
    }

    /** SERVFAIL, timeout: try again later. */
    record Failure(String reason) implements AddressLookup {
    }
}
