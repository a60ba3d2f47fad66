package org.jamesrouting.dns;

/** The DNS questions outbound delivery asks. */
public interface MailDns {
    MxLookup mx(String domain);

    AddressLookup addresses(String host);
}
