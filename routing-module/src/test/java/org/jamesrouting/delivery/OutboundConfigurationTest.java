package org.jamesrouting.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.jamesrouting.route.RelayAuth;
import org.jamesrouting.route.StaticRoutesParser;
import org.jamesrouting.route.TlsMode;
import org.junit.jupiter.api.Test;

class OutboundConfigurationTest {
    private static final StaticRoutesParser.SecretSource SECRETS = new StaticRoutesParser.SecretSource() {
        @Override
        public Optional<String> environment(String variable) {
            return variable.equals("RELAY_PASS") ? Optional.of("from-env") : Optional.empty();
        }

        @Override
        public String file(String path) throws java.io.IOException {
            throw new java.nio.file.NoSuchFileException(path);
        }
    };

    private static OutboundConfiguration parse(Map<String, String> parameters) {
        return OutboundConfiguration.parse(name -> Optional.ofNullable(parameters.get(name)), SECRETS, "mail.example.com");
    }

    @Test
    void readsASmartHostWithBackupAndCustomDns() {
        OutboundConfiguration configuration = parse(Map.of(
            "smarthost", "smtp.gmail.com:587 tls=starttls-required auth=me@gmail.com password-env=RELAY_PASS",
            "backup", "192.0.2.25",
            "dnsServers", "192.0.2.53, 127.0.0.1:5353",
            "retrySchedule", "1m, 10m",
            "maxAge", "2d"));

        assertThat(configuration.smarthost().orElseThrow().hosts().get(0).asString()).isEqualTo("smtp.gmail.com:587");
        assertThat(configuration.smarthost().orElseThrow().tls()).isEqualTo(TlsMode.VERIFY);
        assertThat(configuration.smarthost().orElseThrow().auth()).contains(new RelayAuth("me@gmail.com", "from-env"));
        assertThat(configuration.backup().orElseThrow().hosts().get(0).port()).isEqualTo(25);
        assertThat(configuration.dnsServers()).containsExactly(new InetSocketAddress("192.0.2.53", 53), new InetSocketAddress("127.0.0.1", 5353));
        assertThat(configuration.retries().maxAge()).isEqualTo(Duration.ofDays(2));
        assertThat(configuration.heloName()).isEqualTo("mail.example.com");
        assertThat(configuration.mxPort()).isEqualTo(25);
        assertThat(configuration.verifyServerIdentity()).isTrue();
    }

    @Test
    void mtaStsIsOnByDefaultAndDaneLevelsAreForMxOnly() {
        OutboundConfiguration defaults = parse(Map.of());
        assertThat(defaults.mtaSts()).isTrue();
        assertThat(defaults.mtaStsPort()).isEqualTo(443);
        OutboundConfiguration set = parse(Map.of("mtaSts", "false", "mtaStsPort", "8443", "mxTls", "dane",
            "mxTlsPolicy", "partner.example dane-only"));
        assertThat(set.mtaSts()).isFalse();
        assertThat(set.mtaStsPort()).isEqualTo(8443);
        assertThat(set.mxTls()).isEqualTo(TlsMode.DANE);
        assertThat(set.mxTlsPolicy().levelFor("partner.example")).isEqualTo(TlsMode.DANE_ONLY);
        assertThatThrownBy(() -> parse(Map.of("mtaSts", "perhaps"))).hasMessage("<mtaSts>: 'perhaps' should be true or false");
        assertThatThrownBy(() -> parse(Map.of("smarthost", "smtp.example.net tls=dane")))
            .hasMessageContaining("<smarthost>").hasMessageContaining("tls=dane is for direct MX delivery");
    }

    @Test
    void namesTheParameterOfEachBadValue() {
        assertThatThrownBy(() -> parse(Map.of("smarthost", "smtp.example.net:99999")))
            .hasMessage("<smarthost>: 'smtp.example.net:99999': port 99999 is not from 1 to 65535");
        assertThatThrownBy(() -> parse(Map.of("backup", "b.example.net")))
            .hasMessage("<backup>: a backup mail server needs <smarthost>");
        assertThatThrownBy(() -> parse(Map.of("smarthost", "s.example.net auth=me password-env=MISSING")))
            .hasMessage("<smarthost>: environment variable 'MISSING' (password-env) is not set");
        assertThatThrownBy(() -> parse(Map.of("dnsServers", "dns.example.net")))
            .hasMessageStartingWith("<dnsServers>: DNS server 'dns.example.net' must be an IP address");
        assertThatThrownBy(() -> parse(Map.of("mxPort", "smtp")))
            .hasMessage("<mxPort>: 'smtp' is not a whole number");
        assertThatThrownBy(() -> parse(Map.of("retrySchedule", "soon")))
            .hasMessageStartingWith("<retrySchedule>: 'soon' is not a duration");
        assertThatThrownBy(() -> parse(Map.of("maxAge", "forever")))
            .hasMessageStartingWith("<maxAge>: 'forever' is not a duration");
        assertThatThrownBy(() -> parse(Map.of("heloName", "localhost")))
            .hasMessageStartingWith("<heloName>: 'localhost' is not a fully qualified domain name");
        assertThatThrownBy(() -> parse(Map.of("heloName", "127.0.0.1")))
            .hasMessageStartingWith("<heloName>: '127.0.0.1' is not a fully qualified domain name");
        assertThatThrownBy(() -> OutboundConfiguration.parse(name -> Optional.empty(), SECRETS, "vm"))
            .hasMessageStartingWith("<heloName>: not set, and this machine's name 'vm' is not fully qualified");
        assertThatThrownBy(() -> OutboundConfiguration.parse(name -> Optional.empty(), SECRETS, "localhost.localdomain"))
            .hasMessageContaining("is not fully qualified");
        assertThat(OutboundConfiguration.parse(name -> Optional.empty(), SECRETS, "mx.example.org").heloName()).isEqualTo("mx.example.org");
        assertThat(parse(Map.of("heloName", "out.example.net")).heloName()).isEqualTo("out.example.net");
        assertThatThrownBy(() -> parse(Map.of("mxTls", "always")))
            .hasMessageStartingWith("<mxTls>: 'always' is not a TLS level");
        assertThatThrownBy(() -> parse(Map.of("immediateDeliveries", "-1")))
            .hasMessage("<immediateDeliveries>: '-1' should be 0 or more");
        assertThatThrownBy(() -> parse(Map.of("immediateDeliveries", "many")))
            .hasMessage("<immediateDeliveries>: 'many' is not a whole number");
        assertThatThrownBy(() -> parse(Map.of("deliveryThreads", "0")))
            .hasMessage("<deliveryThreads>: '0' should be 1 or more");
        assertThatThrownBy(() -> parse(Map.of("smarthost", "s.example.net enabled=false")))
            .hasMessage("<smarthost>: option 'enabled' is for routes only");
    }
}
