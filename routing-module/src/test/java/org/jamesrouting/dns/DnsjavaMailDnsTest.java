package org.jamesrouting.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;

import org.jamesrouting.testing.Dnsmasq;
import org.jamesrouting.testing.MutableClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our DNS lookups against a real DNS server (dnsmasq) on a loopback port. */
class DnsjavaMailDnsTest {
    @TempDir
    static Path directory;
    static Dnsmasq dns;

    @BeforeAll
    static void start() throws Exception {
        dns = Dnsmasq.start(directory,
            "--mx-host=dest.test,mx2.dest.test,20", "--mx-host=dest.test,mx1.dest.test,10",
            "--host-record=mx1.dest.test,127.0.0.21", "--host-record=mx2.dest.test,127.0.0.22,::1",
            "--mx-host=nullmx.test,.,0",
            "--host-record=amx.test,127.0.0.23");
    }

    @AfterAll
    static void stop() throws Exception {
        dns.close();
    }

    private static DnsjavaMailDns dns(DomainNameCache cache) {
        return new DnsjavaMailDns(List.of(dns.address()), Duration.ofSeconds(2), cache, Duration.ofSeconds(30), new Random(1));
    }

    private static DomainNameCache cache() {
        return new DomainNameCache(1000, Clock.systemUTC());
    }

    @Test
    void mxHostsComeInPreferenceOrder() {
        assertThat(dns(cache()).mx("dest.test")).isEqualTo(new MxLookup.Hosts(List.of(
            new MxLookup.MxHost("mx1.dest.test", 10), new MxLookup.MxHost("mx2.dest.test", 20))));
    }

    @Test
    void aDomainWithoutMxIsItsOwnMailHost() {
        assertThat(dns(cache()).mx("amx.test")).isEqualTo(new MxLookup.Hosts(List.of(new MxLookup.MxHost("amx.test", 0))));
    }

    @Test
    void nullMxAndNxDomainArePermanentAnswers() {
        assertThat(dns(cache()).mx("nullmx.test")).isInstanceOf(MxLookup.NullMx.class);
        assertThat(dns(cache()).mx("missing.test")).isInstanceOf(MxLookup.NoSuchDomain.class);
    }

    @Test
    void addressesIncludeIpv4AndIpv6() throws Exception {
        assertThat(dns(cache()).addresses("mx2.dest.test")).isEqualTo(new AddressLookup.Found(List.of(
            InetAddress.getByName("127.0.0.22"), InetAddress.getByName("::1"))));
        assertThat(dns(cache()).addresses("nohost.test")).isInstanceOf(AddressLookup.NotFound.class);
    }

    @Test
    void aDnsServerThatDoesNotAnswerIsATemporaryFailure() {
        DnsjavaMailDns silent = new DnsjavaMailDns(List.of(new InetSocketAddress("127.0.0.1", 9)), Duration.ofMillis(300),
            cache(), Duration.ofSeconds(30), new Random(1));

        assertThat(silent.mx("dest.test")).isInstanceOf(MxLookup.Failure.class);
        assertThat(silent.addresses("mx1.dest.test")).isInstanceOf(AddressLookup.Failure.class);
    }

    @Test
    void aServerThatStopsAnsweringIsSkippedForAWhileAndTheOthersUsed() throws Exception {
        try (java.net.DatagramSocket silentServer = new java.net.DatagramSocket(org.jamesrouting.testing.TestPorts.free(), InetAddress.getByName("127.0.0.1"))) {
            DnsjavaMailDns lookups = new DnsjavaMailDns(List.of(new InetSocketAddress("127.0.0.1", silentServer.getLocalPort()), dns.address()),
                Duration.ofMillis(500), cache(), Duration.ofSeconds(30), new Random(1));

            assertThat(lookups.mx("dest.test")).isInstanceOf(MxLookup.Hosts.class);
            assertThat(lookups.addresses("mx1.dest.test")).isInstanceOf(AddressLookup.Found.class);
            assertThat(lookups.mx("amx.test")).isInstanceOf(MxLookup.Hosts.class);

            List<DnsServerPool.ServerStatus> servers = lookups.servers();
            assertThat(servers.get(0).queries()).as("the silent server was asked once, then skipped").isEqualTo(1);
            assertThat(servers.get(0).failures()).isEqualTo(1);
            assertThat(servers.get(0).skippedUntil()).isNotNull();
            assertThat(servers.get(1).failures()).isZero();
            assertThat(servers.get(1).queries()).as("MX, A, AAAA, MX").isEqualTo(4);
        }
    }

    @Test
    void answersAreCachedForTheirTtlAndCanBeFlushed() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-25T00:00:00Z"));
        DomainNameCache cache = new DomainNameCache(1000, clock);
        DnsjavaMailDns lookups = dns(cache);
        lookups.mx("dest.test");
        lookups.mx("missing.test");

        assertThat(cache.list(entry -> true)).extracting(entry -> entry.key().name()).containsExactlyInAnyOrder("dest.test", "missing.test");
        clock.advance(Duration.ofSeconds(31));
        assertThat(cache.list(entry -> true)).extracting(entry -> entry.key().name())
            .as("the negative answer (30 s) expired, the MX (TTL 60 s) did not").containsExactly("dest.test");
        clock.advance(Duration.ofSeconds(30));
        assertThat(cache.list(entry -> true)).isEmpty();

        lookups.mx("dest.test");
        assertThat(cache.flush(entry -> entry.key().name().equals("dest.test"))).isEqualTo(1);
        assertThat(cache.list(entry -> true)).isEmpty();
    }

    @Test
    void aNegativeAnswerIsKeptAsLongAsItsSoaSays() throws Exception {
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(org.jamesrouting.testing.TestPorts.free(), InetAddress.getByName("127.0.0.1"))) {
            Thread responder = new Thread(() -> answerNxDomainWithSoa(socket, 7));
            responder.setDaemon(true);
            responder.start();
            MutableClock clock = new MutableClock(Instant.parse("2026-11-25T00:00:00Z"));
            DomainNameCache cache = new DomainNameCache(100, clock);
            DnsjavaMailDns lookups = new DnsjavaMailDns(List.of(new InetSocketAddress("127.0.0.1", socket.getLocalPort())),
                Duration.ofSeconds(2), cache, Duration.ofSeconds(300), new Random(1));

            assertThat(lookups.mx("gone.example")).isInstanceOf(MxLookup.NoSuchDomain.class);

            assertThat(cache.list(entry -> true)).hasSize(1);
            clock.advance(Duration.ofSeconds(6));
            assertThat(cache.list(entry -> true)).as("still within the SOA's 7 s").hasSize(1);
            clock.advance(Duration.ofSeconds(2));
            assertThat(cache.list(entry -> true)).as("gone after the SOA's 7 s, long before the 300 s cap").isEmpty();
        }
    }

    /** A one-question DNS server: NXDOMAIN with an SOA (TTL and minimum given) in the authority section. */
    private static void answerNxDomainWithSoa(java.net.DatagramSocket socket, long ttl) {
        try {
            byte[] buffer = new byte[512];
            java.net.DatagramPacket packet = new java.net.DatagramPacket(buffer, buffer.length);
            socket.receive(packet);
            org.xbill.DNS.Message query = new org.xbill.DNS.Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
            org.xbill.DNS.Message response = new org.xbill.DNS.Message(query.getHeader().getID());
            response.getHeader().setFlag(org.xbill.DNS.Flags.QR);
            response.getHeader().setFlag(org.xbill.DNS.Flags.RA);
            response.getHeader().setRcode(org.xbill.DNS.Rcode.NXDOMAIN);
            response.addRecord(query.getQuestion(), org.xbill.DNS.Section.QUESTION);
            org.xbill.DNS.Name zone = org.xbill.DNS.Name.fromString("example.");
            response.addRecord(new org.xbill.DNS.SOARecord(zone, org.xbill.DNS.DClass.IN, ttl, org.xbill.DNS.Name.fromString("ns.example."),
                org.xbill.DNS.Name.fromString("hostmaster.example."), 1, 3600, 600, 86400, ttl), org.xbill.DNS.Section.AUTHORITY);
            byte[] wire = response.toWire();
            socket.send(new java.net.DatagramPacket(wire, wire.length, packet.getSocketAddress()));
        } catch (java.io.IOException e) {
            // the test fails on its own assertions
        }
    }

    @Test
    void theCacheIsBounded() {
        DomainNameCache cache = new DomainNameCache(2, Clock.systemUTC());
        DnsjavaMailDns lookups = dns(cache);
        lookups.addresses("mx1.dest.test");
        lookups.addresses("mx2.dest.test");
        lookups.addresses("amx.test");

        assertThat(cache.list(entry -> true)).extracting(entry -> entry.key().name()).containsExactly("mx2.dest.test", "amx.test");
    }

    @Test
    void parsesDnsServerLists() {
        assertThat(DnsServers.parse("127.0.0.1:5353, 192.0.2.53 [::1]:53"))
            .containsExactly(new InetSocketAddress("127.0.0.1", 5353), new InetSocketAddress("192.0.2.53", 53), new InetSocketAddress("::1", 53));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DnsServers.parse("dns.example.com"))
            .hasMessageContaining("must be an IP address");
    }
}
