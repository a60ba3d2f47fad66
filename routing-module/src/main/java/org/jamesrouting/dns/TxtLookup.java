package org.jamesrouting.dns;

import java.util.List;

/** The answer to a TXT question: the records (each one's strings joined), none, or a failure to try again later. */
public sealed interface TxtLookup {
    record Found(List<String> records) implements TxtLookup {
        public Found {
            records = List.copyOf(records);
        }
    }

    /** NXDOMAIN or no TXT record at that name. */
    record NotFound() implements TxtLookup {
    }

    /** SERVFAIL, timeout, no DNS server answering. */
    record Failure(String reason) implements TxtLookup {
    }
}
