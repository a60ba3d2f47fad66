package org.jamesrouting.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WebAdminExposureCheckTest {
    @Test
    void onlyLoopbackAddressesAndLocalhostCountAsLoopback() {
        assertThat(WebAdminExposureCheck.isLoopback("localhost")).isTrue();
        assertThat(WebAdminExposureCheck.isLoopback("127.0.0.1")).isTrue();
        assertThat(WebAdminExposureCheck.isLoopback("127.5.6.7")).isTrue();
        assertThat(WebAdminExposureCheck.isLoopback("::1")).isTrue();
        assertThat(WebAdminExposureCheck.isLoopback("[::1]")).isTrue();
        assertThat(WebAdminExposureCheck.isLoopback("127.x.example")).isFalse();
        assertThat(WebAdminExposureCheck.isLoopback("127.0.0.1.nip.example")).isFalse();
        assertThat(WebAdminExposureCheck.isLoopback("0.0.0.0")).isFalse();
        assertThat(WebAdminExposureCheck.isLoopback("192.0.2.1")).isFalse();
    }
}
