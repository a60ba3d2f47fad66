package org.jamesrouting.dns;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.jamesrouting.route.MailHost;
import org.xbill.DNS.ResolverConfig;

/**
 * The DNS servers outbound delivery asks: {@code auto} (this machine's, from /etc/resolv.conf)
 * or a list of {@code host[:port]} (port 53 by default), e.g. {@code 192.0.2.53, 127.0.0.1:5353}.
 */
public final class DnsServers {
    private DnsServers() {
    }

    /**
     * @throws IllegalArgumentException naming the bad entry
     */
    public static List<InetSocketAddress> parse(String text) {
        String value = text == null ? "" : text.trim();
        if (value.isEmpty() || value.toLowerCase(Locale.ROOT).equals("auto")) {
            List<InetSocketAddress> system = ResolverConfig.getCurrentConfig().servers();
            if (system.isEmpty()) {
                throw new IllegalArgumentException("no DNS server found in this machine's configuration; list them instead of 'auto'");
            }
            return List.copyOf(system);
        }
        List<InetSocketAddress> servers = new ArrayList<>();
        for (String entry : value.split("[,\\s]+")) {
            if (entry.isEmpty()) {
                continue;
            }
            MailHost host = MailHost.parse(entry, 53);
            if (!host.isIpLiteral()) {
                throw new IllegalArgumentException("DNS server '" + entry + "' must be an IP address (a name would itself need DNS)");
            }
            servers.add(new InetSocketAddress(host.host(), host.port()));
        }
        return List.copyOf(servers);
    }
}
