package org.jamesrouting.dns;

/** The DNS questions outbound delivery asks. */
public interface MailDns {
    MxLookup mx(String domain);

    AddressLookup addresses(String host);

    /** The TXT records at {@code name} (for MTA-STS's {@code _mta-sts.<domain>}). */
    TxtLookup txt(String name);

    /** The TLSA records of {@code _port._tcp.host} (for DANE, RFC 7672); none when not implemented. */
    default TlsaLookup tlsa(String host, int port) {
        return new TlsaLookup.NotFound(false);
    }

    /** Whether answers can be DNSSEC-authenticated: every DNS server asked is a validating resolver's address on this machine. */
    default boolean dnssec() {
        return false;
    }

    /** The DNS servers asked, with their counts (empty when not known). */
    default java.util.List<DnsServerPool.ServerStatus> servers() {
        return java.util.List.of();
    }
}
