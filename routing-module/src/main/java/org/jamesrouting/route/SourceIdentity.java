package org.jamesrouting.route;

import java.net.InetAddress;
import java.util.Optional;

import org.jamesrouting.core.DomainNames;

import com.google.common.net.InetAddresses;

/**
 * Who a route's connections say they are (Postfix's {@code smtp_bind_address} and
 * {@code smtp_helo_name} per transport, Exchange's {@code SourceIPAddress} and {@code Fqdn}):
 * the local address they leave from ({@code bind=192.0.2.25}) and the EHLO name
 * ({@code helo=news.example.com}); what is left out is the server's default. The usual way
 * around a blocklisted address, or to keep one tenant's reputation apart.
 */
public record SourceIdentity(Optional<InetAddress> bind, Optional<String> helo) {
    public static final SourceIdentity DEFAULT = new SourceIdentity(Optional.empty(), Optional.empty());

    /**
     * @throws IllegalArgumentException naming the option and the problem
     */
    public static SourceIdentity parse(Optional<String> bind, Optional<String> helo) {
        Optional<InetAddress> address = bind.map(text -> {
            String literal = text.trim();
            if (literal.startsWith("[") && literal.endsWith("]")) {
                literal = literal.substring(1, literal.length() - 1);
            }
            if (!InetAddresses.isInetAddress(literal)) {
                throw new IllegalArgumentException("bind: '" + text + "' is not an IP address of this machine (write bind=192.0.2.25 "
                    + "or bind=2001:db8::25)");
            }
            return InetAddresses.forString(literal);
        });
        Optional<String> name = helo.map(text -> {
            String normalized;
            try {
                normalized = DomainNames.normalize(text).asString();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("helo: '" + text + "' is not a host name: " + e.getMessage());
            }
            if (!normalized.contains(".")) {
                throw new IllegalArgumentException("helo: '" + text + "' is not fully qualified (write helo=news.example.com)");
            }
            return normalized;
        });
        return new SourceIdentity(address, name);
    }

    /**
     * Binds a socket to the address and lets it go: an address that is not on this machine is
     * refused here, at start or when the route is added, not at every delivery.
     *
     * @throws IllegalArgumentException the address cannot be bound, with the system's reason
     */
    public SourceIdentity checkBindable() {
        if (bind.isPresent()) {
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.bind(new java.net.InetSocketAddress(bind.get(), 0));
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("bind=" + bindText().orElseThrow() + ": cannot be bound on this machine ("
                    + e.getMessage() + ")");
            }
        }
        return this;
    }

    public boolean isDefault() {
        return bind.isEmpty() && helo.isEmpty();
    }

    public Optional<String> bindText() {
        return bind.map(InetAddresses::toAddrString);
    }

    /** {@code bind=192.0.2.25 helo=news.example.com}, as routes.conf writes it ("" for the default). */
    public String asOptions() {
        return (bindText().map(text -> "bind=" + text).orElse("") + helo.map(name -> " helo=" + name).orElse("")).trim();
    }
}
