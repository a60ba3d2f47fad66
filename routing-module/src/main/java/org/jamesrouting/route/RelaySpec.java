package org.jamesrouting.route;

import java.util.List;
import java.util.Optional;

import com.google.common.base.Preconditions;

/** Where to send and how: mail hosts tried in order, TLS mode, optional AUTH, and the local address and EHLO name to use. */
public record RelaySpec(List<MailHost> hosts, TlsMode tls, Optional<RelayAuth> auth, SourceIdentity identity, HostChoice choice) {
    public RelaySpec {
        hosts = List.copyOf(hosts);
        Preconditions.checkArgument(!hosts.isEmpty(), "at least one mail host");
        Route.checkCredentialsNeedTls(tls, auth);
        java.util.Objects.requireNonNull(identity);
        java.util.Objects.requireNonNull(choice);
    }

    public RelaySpec(List<MailHost> hosts, TlsMode tls, Optional<RelayAuth> auth) {
        this(hosts, tls, auth, SourceIdentity.DEFAULT, HostChoice.IN_ORDER);
    }

    /** A route's own hosts ({@link NextHop.Kind#HOSTS}). */
    public static RelaySpec of(Route route) {
        return new RelaySpec(route.hosts(), route.tls(), route.auth(), route.identity(), route.nextHop().choice());
    }

    @Override
    public String toString() {
        return hosts + " tls=" + tls.describe() + auth.map(a -> " auth=" + a).orElse("") + (identity.isDefault() ? "" : " " + identity.asOptions());
    }
}
