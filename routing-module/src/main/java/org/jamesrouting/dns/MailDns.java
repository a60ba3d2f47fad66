package org.jamesrouting.dns;

/** The DNS questions outbound delivery asks. */
public interface MailDns {
    MxLookup mx(String domain);

    AddressLookup addresses(String host);

    /** The TXT records at {@code name} (for MTA-STS's {@code _mta-sts.<domain>}). */
    TxtLookup txt(String name);

    /** The DNS servers asked, with their counts (empty when not known). */
    default java.util.List<DnsServerPool.ServerStatus> servers() {
        return java.util.List.of();
    }
}
