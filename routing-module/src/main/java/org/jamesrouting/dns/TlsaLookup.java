package org.jamesrouting.dns;

import java.util.List;

/** The TLSA records of {@code _port._tcp.host} (RFC 6698), and whether DNSSEC vouched for the answer. */
public sealed interface TlsaLookup {
    /** One TLSA record: certificate usage, selector, matching type, association data. */
    record Tlsa(int usage, int selector, int matchingType, byte[] data) {
        public Tlsa {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        /** As a zone file writes it: {@code 3 1 1 0a1b...}. */
        public String describe() {
            return usage + " " + selector + " " + matchingType + " " + java.util.HexFormat.of().formatHex(data);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Tlsa tlsa && tlsa.usage == usage && tlsa.selector == selector && tlsa.matchingType == matchingType
                && java.util.Arrays.equals(tlsa.data, data);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(usage, selector, matchingType, java.util.Arrays.hashCode(data));
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    record Found(List<Tlsa> records, boolean authenticated) implements TlsaLookup {
        public Found {
            records = List.copyOf(records);
        }
    }

    /** NXDOMAIN or no TLSA record; {@code authenticated}: the denial was DNSSEC-validated. */
    record NotFound(boolean authenticated) implements TlsaLookup {
    }

    /** SERVFAIL (a validating resolver says so of bogus data too), timeout. */
    record Failure(String reason) implements TlsaLookup {
    }
}
