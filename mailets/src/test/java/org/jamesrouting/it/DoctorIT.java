package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jamesrouting.cli.RoutingCli;
import org.jamesrouting.testing.Dnsmasq;
import org.jamesrouting.testing.TestSmtpServer;
import org.jamesrouting.testing.TestTls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/james-routing doctor against a real James: a real DNS server and a silent one, a smart
 * host that refuses our password, a route whose server has an untrusted certificate, a route
 * where nothing listens, and one that works. Each failure comes with what to change.
 */
class DoctorIT {
    @TempDir
    static Path directory;

    static InProcessJames james;
    static Dnsmasq dns;
    static DatagramSocket silentDns;
    static Socket closedPort;
    static TestSmtpServer smart;
    static TestSmtpServer good;
    static TestSmtpServer untrusted;
    static String url;

    record Result(int exit, String out) {
    }

    @BeforeAll
    static void start() throws Exception {
        dns = Dnsmasq.start(directory, "--host-record=relay.doctor.test,127.0.0.1",
            "--host-record=multi.doctor.test,127.0.0.1", "--host-record=multi.doctor.test,127.0.0.2");
        silentDns = new DatagramSocket(org.jamesrouting.testing.TestPorts.free(), InetAddress.getByName("127.0.0.1"));
        closedPort = new Socket();
        closedPort.bind(new InetSocketAddress("127.0.0.1", org.jamesrouting.testing.TestPorts.free()));
        TestTls tls = TestTls.create(java.nio.file.Files.createDirectories(directory.resolve("tls")));
        smart = TestSmtpServer.start().requireAuth("relay", "right-password").offerStartTls(tls.serverContext());
        good = TestSmtpServer.start();
        untrusted = TestSmtpServer.start().offerStartTls(tls.serverContext());
        JamesHome home = JamesHome.fromProjectConf(directory.resolve("james"));
        // a dynamic route made on another node of a cluster, from an address this machine does not have
        java.nio.file.Path dynamic = home.directory().resolve("var/routing/dynamic-routes.json");
        java.nio.file.Files.createDirectories(dynamic.getParent());
        java.nio.file.Files.writeString(dynamic, """
            [{"id":"other-node","pattern":"elsewhere.test","hosts":["127.0.0.1:%d"],"tls":"none","bind":"192.0.2.77"}]
            """.formatted(good.port()));
        james = InProcessJames.start(home
            .outboundRouter("""
                <smarthost>relay.doctor.test:%d tls=encrypt auth=relay password=wrong-password</smarthost>
                <routes>file://conf/routes.conf</routes>
                <dnsServers>127.0.0.1:%d, 127.0.0.1:%d</dnsServers>
                <dnsTimeout>1s</dnsTimeout>
                <connectTimeout>2s</connectTimeout>
                <commandTimeout>5s</commandTimeout>
                """.formatted(smart.port(), dns.port(), silentDns.getLocalPort()))
            .routes("""
                good.test       127.0.0.1:%d  tls=none
                untrusted.test  127.0.0.1:%d  tls=starttls-required
                dead.test       127.0.0.1:%d  tls=none
                plain.test      127.0.0.1:%d  auth=relay password=right-password
                multi.test      multi.doctor.test:%d  tls=none
                """.formatted(good.port(), untrusted.port(), closedPort.getLocalPort(), good.port(), good.port())));
        james.webAdmin().addDomain("example.com");
        url = "http://127.0.0.1:" + james.home().webAdminPort();
    }

    @AfterAll
    static void stop() throws Exception {
        if (james != null) {
            james.close();
        }
        for (AutoCloseable closeable : new AutoCloseable[] {dns, silentDns, closedPort, smart, good, untrusted}) {
            closeable.close();
        }
    }

    private static Result doctor(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("--url", url, "doctor"));
        all.addAll(List.of(args));
        int exit = RoutingCli.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), Map.of());
        return new Result(exit, out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aWorkingRouteAndTheDnsServers() {
        Result result = doctor("bob@good.test");
        assertThat(result.out()).contains("ok    DNS server 127.0.0.1:" + dns.port(), "NXDOMAIN")
            .contains("FAIL  DNS server 127.0.0.1:" + silentDns.getLocalPort(), "does not answer")
            .contains("ok    route", "matches pattern 'good.test'")
            .contains("ok    route static-1: 127.0.0.1:" + good.port(), "greeting: ", "EHLO ok");
        assertThat(result.exit()).as("the silent DNS server fails the check").isEqualTo(RoutingCli.REFUSED);
    }

    @Test
    void eachFailureSaysWhatToChange() {
        String smartHost = doctor().out();
        assertThat(smartHost).contains("FAIL  smart host: relay.doctor.test:" + smart.port() + " (tls=encrypt, auth=relay)")
            .contains("refused AUTH for relay", "check the user name and the password");

        assertThat(doctor("x@untrusted.test").out()).contains("FAIL  route static-2")
            .contains("add it to <truststore>");
        assertThat(doctor("x@dead.test").out()).contains("FAIL  route static-3")
            .contains("nothing listens on 127.0.0.1:" + closedPort.getLocalPort() + " (connection refused)");
        assertThat(doctor("x@plain.test").out()).contains("FAIL  route static-4")
            .contains("offered no STARTTLS; credentials are only sent over TLS", "they only go over TLS");
        assertThat(good.commands()).noneMatch(command -> command.toUpperCase().startsWith("AUTH"));
        assertThat(doctor("x@example.com").out()).contains("ok    route", "example.com is a local domain");
        assertThat(doctor("x@elsewhere.test").out()).contains("FAIL  route other-node: source address")
            .contains("bind=192.0.2.77: cannot be bound on this machine", "add it to an interface");
    }

    /** Every address of a host is probed, as delivery would try each: here one answers and one does not. */
    @Test
    void everyAddressOfAHostIsProbed() {
        String out = doctor("x@multi.test").out();
        String where = "route static-5: multi.doctor.test:" + good.port();
        assertThat(out).contains("ok    " + where + " [127.0.0.1]")
            .contains("FAIL  " + where + " [127.0.0.2]")
            .contains("nothing listens on multi.doctor.test:" + good.port());
    }
}
