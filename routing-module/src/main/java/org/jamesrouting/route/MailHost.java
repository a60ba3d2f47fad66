package org.jamesrouting.route;

import java.util.Objects;
import java.util.regex.Pattern;

import org.jamesrouting.core.DomainNames;

import com.google.common.net.InetAddresses;

/**
 * A mail host to connect to: a host name, an IPv4 literal or an IPv6 literal (written in
 * brackets), and a port. Written {@code host[:port]}, {@code 192.0.2.1:587}, {@code [2001:db8::1]:465}.
 */
public final class MailHost {
    public static final int SMTP_PORT = 25;
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,5}");

    private final String host;
    private final int port;
    private final boolean ipLiteral;

    private MailHost(String host, int port, boolean ipLiteral) {
        this.host = host;
        this.port = port;
        this.ipLiteral = ipLiteral;
    }

    /** A host (name or IP, an IPv6 address with or without brackets) and a port. */
    public static MailHost of(String host, int port) {
        return parse(host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host, port);
    }

    /**
     * @throws IllegalArgumentException with the reason
     */
    public static MailHost parse(String text, int defaultPort) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty mail host");
        }
        String value = text.trim();
        String hostPart;
        String portPart = null;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + value + "': missing ']' after the IPv6 address");
            }
            hostPart = value.substring(1, close);
            String rest = value.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("'" + value + "': expected ':port' after ']'");
                }
                portPart = rest.substring(1);
            }
            if (!InetAddresses.isInetAddress(hostPart) || !hostPart.contains(":")) {
                throw new IllegalArgumentException("'" + value + "': '" + hostPart + "' is not an IPv6 address");
            }
            return new MailHost(InetAddresses.toAddrString(InetAddresses.forString(hostPart)), parsePort(value, portPart, defaultPort), true);
        }
        int colon = value.lastIndexOf(':');
        if (colon >= 0) {
            if (value.indexOf(':') != colon) {
                throw new IllegalArgumentException("'" + value + "': write IPv6 addresses in brackets, e.g. [2001:db8::1]:25");
            }
            hostPart = value.substring(0, colon);
            portPart = value.substring(colon + 1);
        } else {
            hostPart = value;
        }
        int port = parsePort(value, portPart, defaultPort);
        if (InetAddresses.isInetAddress(hostPart)) {
            return new MailHost(hostPart, port, true);
        }
        if (hostPart.chars().allMatch(c -> Character.isDigit(c) || c == '.')) {
            throw new IllegalArgumentException("'" + value + "': '" + hostPart + "' is not an IPv4 address");
        }
        try {
            return new MailHost(DomainNames.normalize(hostPart).asString(), port, false);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + value + "': " + e.getMessage());
        }
    }

    private static int parsePort(String value, String portPart, int defaultPort) {
        if (portPart == null) {
            return defaultPort;
        }
        if (!DIGITS.matcher(portPart).matches()) {
            throw new IllegalArgumentException("'" + value + "': port '" + portPart + "' is not a number from 1 to 65535");
        }
        int port = Integer.parseInt(portPart);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("'" + value + "': port " + port + " is not from 1 to 65535");
        }
        return port;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** True for an IP address, which is connected to as is, without DNS. */
    public boolean isIpLiteral() {
        return ipLiteral;
    }

    public String asString() {
        return (ipLiteral && host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MailHost other && host.equals(other.host) && port == other.port;
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, port);
    }

    @Override
    public String toString() {
        return asString();
    }
}
