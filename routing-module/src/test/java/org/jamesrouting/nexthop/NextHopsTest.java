package org.jamesrouting.nexthop;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jamesrouting.dns.AddressLookup;
import org.jamesrouting.dns.DnsPins;
import org.jamesrouting.dns.MailDns;
import org.jamesrouting.dns.MxLookup;
import org.jamesrouting.dns.TxtLookup;
import org.jamesrouting.route.MailHost;
import org.jamesrouting.route.RelayAuth;
import org.jamesrouting.route.RelaySpec;
import org.jamesrouting.route.TlsMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one expansion delivery, explain and doctor share: pins, MX (and what MX answers mean), relays, addresses. */
class NextHopsTest {
    private static final Map<String, MxLookup> MX = Map.of(
        "two.test", new MxLookup.Hosts(List.of(new MxLookup.MxHost("mx1.two.test", 10), new MxLookup.MxHost("mx2.two.test", 20))),
        "null.test", new MxLookup.NullMx(),
        "gone.test", new MxLookup.NoSuchDomain(),
        "flaky.test", new MxLookup.Failure("SERVFAIL from 127.0.0.53"));

    private static final MailDns DNS = new MailDns() {
        @Override
        public MxLookup mx(String domain) {
            return MX.getOrDefault(domain, new MxLookup.Failure("unexpected " + domain));
        }

        @Override
        public AddressLookup addresses(String host) {
            return switch (host) {
                case "mx1.two.test" -> new AddressLookup.Found(List.of(address("127.0.0.11"), address("127.0.0.12")));
                case "mx2.two.test" -> new AddressLookup.NotFound();
                case "relay.test" -> new AddressLookup.Found(List.of(address("127.0.0.21")));
                default -> new AddressLookup.Failure("timeout asking for " + host);
            };
        }

        @Override
        public TxtLookup txt(String name) {
            return new TxtLookup.NotFound();
        }
    };

    @TempDir
    Path directory;

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private NextHops nextHops() {
        return new NextHops(DNS, new DnsPins(directory.resolve("pins.json")), 25, Optional.empty());
    }

    @Test
    void mxHostsInOrderWithTheirAddressesAndTheOneWithoutAnAddressSkipped() {
        NextHops.Hosts hosts = (NextHops.Hosts) nextHops().expand(HopGroup.mx("two.test", TlsMode.MAY));

        assertThat(hosts.fromMx()).isTrue();
        assertThat(hosts.hosts()).extracting(NextHops.Host::name).containsExactly("mx1.two.test", "mx2.two.test");
        NextHops.Host first = hosts.hosts().get(0);
        assertThat(first.addresses()).containsExactly(address("127.0.0.11"), address("127.0.0.12"));
        assertThat(first.port()).isEqualTo(25);
        assertThat(first.note()).isEqualTo("MX preference 10");
        assertThat(first.skip()).isEmpty();
        NextHops.Host second = hosts.hosts().get(1);
        assertThat(second.addresses()).isEmpty();
        assertThat(second.skip()).hasValueSatisfying(skip -> {
            assertThat(skip.byDns()).isTrue();
            assertThat(skip.status()).isEqualTo("4.4.4");
        });
        assertThat(hosts.mtaStsNote()).hasValue("off (<mtaSts>false</mtaSts>)");
    }

    @Test
    void nullMxAndNxdomainMeanNoMailAndALookupFailureMeansWait() {
        assertThat(nextHops().expand(HopGroup.mx("null.test", TlsMode.MAY)))
            .isInstanceOfSatisfying(NextHops.NoMail.class, noMail -> assertThat(noMail.status()).isEqualTo("5.1.10"));
        assertThat(nextHops().expand(HopGroup.mx("gone.test", TlsMode.MAY)))
            .isInstanceOfSatisfying(NextHops.NoMail.class, noMail -> assertThat(noMail.status()).isEqualTo("5.1.2"));
        assertThat(nextHops().expand(HopGroup.mx("flaky.test", TlsMode.MAY)))
            .isInstanceOfSatisfying(NextHops.LookupFailed.class, failed -> {
                assertThat(failed.status()).isEqualTo("4.4.3");
                assertThat(failed.reason()).contains("SERVFAIL");
            });
    }

    @Test
    void aPinWinsOverTheMxAndIsNotCutToTheMxLimit() {
        NextHops nextHops = new NextHops(DNS, pinned("two.test", "127.0.0.31:2525"), 25, Optional.empty());

        NextHops.Hosts hosts = (NextHops.Hosts) nextHops.expand(HopGroup.mx("two.test", TlsMode.MAY));

        assertThat(hosts.fromMx()).isFalse();
        assertThat(hosts.hosts()).singleElement().satisfies(host -> {
            assertThat(host.name()).isEqualTo("127.0.0.31");
            assertThat(host.port()).isEqualTo(2525);
            assertThat(host.addresses()).containsExactly(address("127.0.0.31"));
            assertThat(host.note()).isEqualTo("pinned in the domain name cache");
        });
    }

    @Test
    void relayHostsCarryTheirCredentialsAndAnUnresolvableNameIsSkipped() {
        RelayAuth auth = new RelayAuth("relay", "s3cret");
        RelaySpec relay = new RelaySpec(List.of(MailHost.of("relay.test", 587), MailHost.of("broken.test", 587)), TlsMode.VERIFY,
            Optional.of(auth));

        NextHops.Hosts hosts = (NextHops.Hosts) nextHops().expand(HopGroup.relay(Via.SMARTHOST, relay, "smart host"));

        assertThat(hosts.hosts()).hasSize(2);
        assertThat(hosts.hosts().get(0).auth()).hasValue(auth);
        assertThat(hosts.hosts().get(0).addresses()).containsExactly(address("127.0.0.21"));
        assertThat(hosts.hosts().get(0).certificateNames()).contains("relay.test");
        assertThat(hosts.hosts().get(1).skip()).hasValueSatisfying(skip -> assertThat(skip.reason()).contains("timeout"));
        assertThat(hosts.mtaStsNote()).isEmpty();
    }

    private DnsPins pinned(String domain, String host) {
        DnsPins pins = new DnsPins(directory.resolve("pinned.json"));
        pins.pin(domain, List.of(host));
        return pins;
    }
}
