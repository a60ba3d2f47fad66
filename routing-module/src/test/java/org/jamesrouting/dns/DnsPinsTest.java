package org.jamesrouting.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;

import org.jamesrouting.route.MailHost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DnsPinsTest {
    @TempDir
    Path directory;

    @Test
    void pinsAreNormalizedAndSurviveARestart() {
        Path file = directory.resolve("var/routing/dns-pins.json");
        DnsPins pins = new DnsPins(file);
        pins.pin("Bücher.Example", List.of("mx.b.test:2525", "192.0.2.7"));

        DnsPins restarted = new DnsPins(file);

        assertThat(restarted.hostsFor("xn--bcher-kva.example")).contains(List.of(MailHost.parse("mx.b.test:2525", 25), MailHost.parse("192.0.2.7", 25)));
        assertThat(restarted.unpin("bücher.example")).isTrue();
        assertThat(new DnsPins(file).all()).isEmpty();
    }

    @Test
    void refusesBadPinsAndKeepsTheOldOnes() {
        DnsPins pins = new DnsPins(directory.resolve("pins.json"));
        pins.pin("a.test", List.of("mx.a.test"));

        assertThatThrownBy(() -> pins.pin("a.test", List.of("mx:0"))).hasMessageContaining("port 0");
        assertThatThrownBy(() -> pins.pin("a..test", List.of("mx"))).hasMessageContaining("not a valid domain name");
        assertThatThrownBy(() -> pins.pin("b.test", List.of())).hasMessageContaining("at least one");
        assertThat(pins.hostsFor("a.test")).contains(List.of(MailHost.parse("mx.a.test", 25)));
    }
}
