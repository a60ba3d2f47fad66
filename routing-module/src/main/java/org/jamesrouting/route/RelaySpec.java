package org.jamesrouting.route;

import java.util.List;
import java.util.Optional;

import com.google.common.base.Preconditions;

/** Where to send and how: mail hosts tried in order, TLS mode, optional AUTH. */
public record RelaySpec(List<MailHost> hosts, TlsMode tls, Optional<RelayAuth> auth) {
    public RelaySpec {
        hosts = List.copyOf(hosts);
        Preconditions.checkArgument(!hosts.isEmpty(), "at least one mail host");
        Route.checkCredentialsNeedTls(tls, auth);
    }

    public static RelaySpec of(Route route) {
        return new RelaySpec(route.hosts(), route.tls(), route.auth());
    }

    @Override
    public String toString() {
        return hosts + " tls=" + tls.describe() + auth.map(a -> " auth=" + a).orElse("");
    }
}
