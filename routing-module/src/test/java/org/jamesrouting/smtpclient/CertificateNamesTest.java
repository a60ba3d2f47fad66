package org.jamesrouting.smtpclient;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class CertificateNamesTest {
    private final CertificateNames names = new CertificateNames(List.of("mx1.Example.net", "*.mail.example.org"), List.of("192.0.2.1", "2001:db8:0::1"));

    @Test
    void aHostNameMatchesExactlyIgnoringCase() {
        assertThat(names.matches("MX1.example.net")).isTrue();
        assertThat(names.matches("mx1.example.net.")).isTrue();
        assertThat(names.matches("mx2.example.net")).isFalse();
        assertThat(names.matches("example.net")).isFalse();
    }

    @Test
    void aWildcardStandsForExactlyOneLabel() {
        assertThat(names.matches("a.mail.example.org")).isTrue();
        assertThat(names.matches("a.b.mail.example.org")).isFalse();
        assertThat(names.matches("mail.example.org")).isFalse();
        assertThat(new CertificateNames(List.of("*.org"), List.of()).matches("example.org")).isFalse();
    }

    @Test
    void aDotNameMatchesAnyNameBelowIt() {
        assertThat(names.matches(".example.net")).isTrue();
        assertThat(names.matches(".net")).isTrue();
        assertThat(names.matches(".mail.example.org")).isTrue();
        assertThat(names.matches(".mx1.example.net")).isFalse();
        assertThat(names.matches(".example.com")).isFalse();
    }

    @Test
    void ipAddressesMatchOnlyIpAddresses() {
        assertThat(names.matches("192.0.2.1")).isTrue();
        assertThat(names.matches("2001:db8::1")).isTrue();
        assertThat(names.matches("192.0.2.2")).isFalse();
        assertThat(new CertificateNames(List.of("192.0.2.1"), List.of()).matches("192.0.2.1")).isFalse();
    }

    @Test
    void anyOfSeveralExpectedNames() {
        assertThat(names.matchesAny(List.of("other.test", ".example.net"))).isTrue();
        assertThat(names.matchesAny(List.of("other.test", ".other.test"))).isFalse();
    }
}
