package org.jamesrouting.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MailHostTest {
    @Test
    void parsesNamesIpv4AndBracketedIpv6WithOrWithoutPort() {
        assertThat(MailHost.parse("Smtp.Example.COM", 25).asString()).isEqualTo("smtp.example.com:25");
        assertThat(MailHost.parse("smtp.example.com:587", 25).port()).isEqualTo(587);
        MailHost ipv4 = MailHost.parse("192.0.2.1:465", 25);
        assertThat(ipv4.isIpLiteral()).isTrue();
        assertThat(ipv4.asString()).isEqualTo("192.0.2.1:465");
        MailHost ipv6 = MailHost.parse("[2001:DB8:0::1]:2525", 25);
        assertThat(ipv6.host()).isEqualTo("2001:db8::1");
        assertThat(ipv6.asString()).isEqualTo("[2001:db8::1]:2525");
        assertThat(MailHost.parse("[::1]", 25).port()).isEqualTo(25);
        assertThat(MailHost.of("::1", 2525)).isEqualTo(MailHost.parse("[::1]:2525", 25));
    }

    @Test
    void refusesBadHostsAndPortsWithTheReason() {
        assertThatThrownBy(() -> MailHost.parse("host:0", 25)).hasMessageContaining("port 0 is not from 1 to 65535");
        assertThatThrownBy(() -> MailHost.parse("host:65536", 25)).hasMessageContaining("not from 1 to 65535");
        assertThatThrownBy(() -> MailHost.parse("host:smtp", 25)).hasMessageContaining("port 'smtp' is not a number");
        assertThatThrownBy(() -> MailHost.parse("2001:db8::1", 25)).hasMessageContaining("in brackets");
        assertThatThrownBy(() -> MailHost.parse("[192.0.2.1]", 25)).hasMessageContaining("is not an IPv6 address");
        assertThatThrownBy(() -> MailHost.parse("300.1.1.1", 25)).hasMessageContaining("is not an IPv4 address");
        assertThatThrownBy(() -> MailHost.parse("bad host", 25)).hasMessageContaining("not a valid domain name");
        assertThatThrownBy(() -> MailHost.parse("", 25)).hasMessageContaining("empty");
    }
}
