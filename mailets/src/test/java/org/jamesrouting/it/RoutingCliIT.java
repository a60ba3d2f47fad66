package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.jamesrouting.cli.RoutingCli;
import org.jamesrouting.testing.TestSmtpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** bin/james-routing routes|explain|cache|smarthost against a running James. */
class RoutingCliIT {
    @TempDir
    static Path directory;
    static InProcessJames james;
    static TestSmtpServer smart;
    static TestSmtpServer peer;
    static String url;

    record Result(int exit, String out, String err) {
    }

    @BeforeAll
    static void start() throws Exception {
        smart = TestSmtpServer.start();
        peer = TestSmtpServer.start();
        james = InProcessJames.start(JamesHome.fromProjectConf(directory)
            .outboundRouter("<smarthost>127.0.0.1:%d tls=none</smarthost>\n<routes>file://conf/routes.conf</routes>".formatted(smart.port()))
            .routes("static.test 127.0.0.1:1 tls=none id=fixed\n"));
        james.webAdmin().addDomain("example.com");
        url = "http://127.0.0.1:" + james.home().webAdminPort();
    }

    @AfterAll
    static void stop() throws Exception {
        james.close();
        smart.close();
        peer.close();
    }

    private static Result cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("--url", url));
        all.addAll(List.of(args));
        int exit = RoutingCli.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8), Map.of("PEER_PASS", "from-env"));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void managesRoutesFromTheCommandLine() throws Exception {
        Result inClear = cli("routes", "add", "cli.test", "127.0.0.1:" + peer.port(), "--tls", "none",
            "--user", "relay", "--password-env", "PEER_PASS");
        assertThat(inClear.exit()).isEqualTo(RoutingCli.REFUSED);
        assertThat(inClear.err()).contains("400", "credentials are only sent over TLS").doesNotContain("from-env");

        Result added = cli("--json", "routes", "add", "cli.test", "127.0.0.1:" + peer.port(), "--tls", "secure",
            "--tls-match", ".cli.test", "--user", "relay", "--password-env", "PEER_PASS", "--comment", "from the CLI");
        assertThat(added.exit()).as(added.err()).isZero();
        JsonNode route = new ObjectMapper().readTree(added.out()).get(0);
        String id = route.get("id").asText();
        assertThat(route.get("position").asInt()).isEqualTo(2);
        assertThat(added.out()).doesNotContain("from-env");
        assertThat(route.get("tls").asText()).isEqualTo("secure");
        assertThat(route.get("tlsMatch").get(0).asText()).isEqualTo(".cli.test");

        Result list = cli("routes", "list");
        assertThat(list.exit()).isZero();
        assertThat(list.out().lines().toList().get(0)).startsWith("POS").contains("PATTERN").contains("HOSTS");
        assertThat(list.out()).contains("fixed").contains("static").contains("cli.test").contains("relay").contains("from the CLI")
            .contains("secure match=.cli.test");

        Result second = cli("routes", "add", "x@cli.test", "127.0.0.1:" + peer.port(), "--tls", "none");
        String secondId = second.out().lines().toList().get(1).split("\\s+")[1];
        assertThat(cli("routes", "move", secondId, "2").exit()).isZero();
        assertThat(cli("--json", "routes", "show", secondId).out()).contains("\"position\" : 2");

        Result explain = cli("explain", "x@cli.test");
        assertThat(explain.exit()).isZero();
        assertThat(explain.out()).contains("route:   " + secondId).contains("why:").contains("127.0.0.1").contains("smarthost");

        Result direct = cli("--json", "routes", "add", "direct.cli.test", "mx:provider.test", "--bind", "127.0.0.2", "--helo",
            "out.cli.test");
        assertThat(direct.exit()).as(direct.out()).isZero();
        assertThat(direct.out()).contains("\"nextHop\" : \"mx:provider.test\"", "\"bind\" : \"127.0.0.2\"", "\"helo\" : \"out.cli.test\"");
        String directId = direct.out().replaceAll("(?s).*\"id\" : \"([^\"]+)\".*", "$1");
        assertThat(cli("routes", "list").out()).contains("mx:provider.test", "bind=127.0.0.2 helo=out.cli.test");
        assertThat(cli("explain", "x@direct.cli.test").out()).contains("next hop: mx:provider.test", "options: bind=127.0.0.2 helo=out.cli.test");
        assertThat(cli("routes", "rm", directId).exit()).isZero();

        assertThat(cli("routes", "rm", secondId).exit()).isZero();
        assertThat(cli("routes", "rm", id).out()).contains("deleted " + id);
        assertThat(cli("routes", "list").out()).doesNotContain("cli.test");
    }

    @Test
    void routeConditionsAndExplainWithThem() {
        Result added = cli("routes", "add", "cond.test", "127.0.0.1:" + peer.port(), "--tls", "none",
            "--sender", "*@sales.test", "--header", "X-Route=bulk", "--header", "Subject~*invoice*");
        assertThat(added.exit()).as(added.err()).isZero();
        assertThat(added.out()).contains("IF").contains("sender=*@sales.test header:X-Route=bulk header:Subject~*invoice*");

        Result skipped = cli("explain", "x@cond.test", "--sender", "a@sales.test", "--header", "X-Route: bulk");
        assertThat(skipped.exit()).as(skipped.err()).isZero();
        assertThat(skipped.out()).contains("skipped: route").contains("header Subject~*invoice* does not hold (no Subject header)");

        Result taken = cli("routes", "explain", "x@cond.test", "--sender", "a@sales.test", "--header", "X-Route: bulk",
            "--header", "Subject: Invoice 7");
        assertThat(taken.out()).contains("meets its conditions").doesNotContain("skipped:");
        assertThat(cli("explain", "x@cond.test", "--colour", "red").exit()).isEqualTo(RoutingCli.USAGE);
        assertThat(cli("routes", "rm", added.out().lines().toList().get(1).split("\\s+")[1]).exit()).isZero();
    }

    @Test
    void holdsAndReleasesADestinationFromTheCommandLine() throws Exception {
        Result held = cli("queue", "hold", "smarthost", "--reason", "relay maintenance");
        try {
            heldSmartHost(held);
        } finally {
            cli("queue", "release", "smart host");
        }
    }

    private void heldSmartHost(Result held) throws Exception {
        assertThat(held.exit()).as(held.err()).isZero();
        assertThat(held.out()).contains("smart host is on hold; held 0 mail(s)");
        String id = ItSupport.send(james, "someone@example.com", "r@held-by-cli.test", "held by the CLI");

        String holds = ItSupport.await("one mail held", () -> {
            Result listed = cli("queue", "holds");
            return listed.out().matches("(?s).*smart host\\s+\\S+\\s+1\\s+relay maintenance.*") ? listed.out() : null;
        });
        assertThat(holds).contains("DESTINATION", "HELD MAILS");
        Result queue = cli("queue");
        assertThat(queue.out()).contains("on hold", "r@held-by-cli.test", "smart host", "relay maintenance");
        assertThat(ItSupport.arrivals(smart, id)).isZero();

        Result released = cli("queue", "release", "smart host");
        assertThat(released.exit()).as(released.err()).isZero();
        assertThat(released.out()).contains("smart host is released; released 1 mail(s)");
        ItSupport.await("the released mail at the smart host", () -> ItSupport.arrivals(smart, id) == 1 ? true : null);
        assertThat(cli("queue", "holds").out()).contains("no destination is on hold");
        Result usage = cli("queue", "hold");
        assertThat(usage.exit()).isEqualTo(2);
        assertThat(usage.err()).contains("queue hold DESTINATION | queue hold --message NAME [--reason TEXT]");
        Result badDestination = cli("queue", "bounce", "route a/b");
        assertThat(badDestination.exit()).isEqualTo(1);
        assertThat(badDestination.err()).contains("route id");
    }

    @Test
    void refusalsAndMistakesHaveTheirExitCodes() {
        Result badPattern = cli("routes", "add", "sales*@", "host");
        assertThat(badPattern.exit()).isEqualTo(RoutingCli.REFUSED);
        assertThat(badPattern.err()).contains("400").contains("'sales*@'");
        assertThat(cli("routes", "rm", "fixed").exit()).isEqualTo(RoutingCli.REFUSED);
        assertThat(cli("routes", "rm", "no-such-route").err()).contains("404");
        assertThat(cli("routes", "move", "fixed", "two").exit()).isEqualTo(RoutingCli.USAGE);
        assertThat(cli("frobnicate").exit()).isEqualTo(RoutingCli.USAGE);
        assertThat(cli("routes", "add", "a.test", "h", "--password-env", "NOT_SET").err()).contains("NOT_SET is not set");

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = RoutingCli.run(new String[] {"--url", "http://127.0.0.1:1", "routes", "list"}, new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(err), Map.of());
        assertThat(exit).isEqualTo(RoutingCli.UNREACHABLE);
        assertThat(err.toString()).contains("cannot reach webadmin");
    }

    @Test
    void showsTheSmartHostAndTheCache() {
        Result smarthost = cli("smarthost");
        assertThat(smarthost.out()).contains("primary: 127.0.0.1:" + smart.port() + " tls=none").contains("backup:  none");
        assertThat(cli("cache", "flush").out()).startsWith("flushed ");
        assertThat(cli("cache", "pin", "Pinned.Test", "127.0.0.1:2525,mx.backup.test").out())
            .isEqualTo("pinned pinned.test -> 127.0.0.1:2525, mx.backup.test:25\n");
        assertThat(cli("cache", "list", "pinned.test").out()).contains("PIN").contains("never");
        assertThat(cli("cache", "unpin", "pinned.test").exit()).isZero();
        assertThat(cli("cache", "unpin", "pinned.test").exit()).isEqualTo(RoutingCli.REFUSED);
        assertThat(cli("cache", "list").out().lines().toList().get(0)).startsWith("TYPE");
    }

    @Test
    void theScriptRunsTheSameCommands() throws Exception {
        Process process = new ProcessBuilder(JamesHome.projectRoot().resolve("bin/james-routing").toString(), "--url", url, "routes", "list")
            .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("fixed").contains("static.test");
    }
}
