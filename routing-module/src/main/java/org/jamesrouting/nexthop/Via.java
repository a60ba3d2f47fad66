package org.jamesrouting.nexthop;

import java.util.Locale;

/** Why a hop is tried: a routing-table route, the smart host, its backup, or the domain's MX. */
public enum Via {
    ROUTE, SMARTHOST, BACKUP, MX;

    public String asString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
