package org.jamesrouting.testing;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real DNS server for tests: Debian's dnsmasq (installed by {@code bin/james-routing test})
 * on 127.0.0.1 and a free port, authoritative-like for {@code .test}, serving the records given
 * as dnsmasq options ({@code --mx-host=...}, {@code --host-record=...}), TTL 60 s.
 */
public final class Dnsmasq implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;

    private Dnsmasq(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    public static Dnsmasq start(Path directory, String... records) throws Exception {
        Path binary = Paths.get("/usr/sbin/dnsmasq");
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("dnsmasq is not installed: run the tests with bin/james-routing test, which installs dnsmasq-base");
        }
        int port = TestPorts.free();
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--no-daemon", "--port=" + port,
            "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts", "--local=/test/",
            "--local-ttl=60", "--user=root", "--pid-file=" + directory.resolve("dnsmasq-" + port + ".pid")));
        command.addAll(List.of(records));
        Path log = directory.resolve("dnsmasq-" + port + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.currentTimeMillis() + 10_000;
        while (!Files.readString(log).contains("started")) {
            if (!process.isAlive() || System.currentTimeMillis() > deadline) {
                process.destroyForcibly();
                throw new IOException("dnsmasq did not start: " + Files.readString(log));
            }
            Thread.sleep(50);
        }
        return new Dnsmasq(process, port, log);
    }

    public int port() {
        return port;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** As james-routing's dnsServers parameter wants it. */
    public String server() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
