package org.jamesrouting.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A validating DNS resolver on 127.0.0.1 with zones of the test's own: Unbound (Debian's) serving
 * the zone files itself ({@code auth-zone}), the signed ones signed at start with BIND's
 * {@code dnssec-keygen}/{@code dnssec-signzone} and their keys given to it as trust anchors. An
 * answer from a signed zone carries the AD bit; an unsigned zone's answers do not. Nothing is
 * asked of the Internet (the only root server it knows is 127.0.0.1). Installed by
 * {@code bin/james-routing test} (packages unbound, bind9-utils).
 */
public final class SignedDns implements AutoCloseable {
    /** A zone: its name, its records (zone-file lines, names relative to the zone), signed or not. */
    public record Zone(String name, String records, boolean signed, String tamperFrom, String tamperTo) {
        public Zone(String name, String records, boolean signed) {
            this(name, records, signed, null, null);
        }

        /** A signed zone whose signed file is then edited (the first {@code from} becomes {@code to}): its answers are bogus. */
        public static Zone tampered(String name, String records, String from, String to) {
            return new Zone(name, records, true, from, to);
        }
    }

    private final Process process;
    private final int port;
    private final Path log;

    private SignedDns(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    public static SignedDns start(Path directory, List<Zone> zones) throws Exception {
        for (String tool : List.of("/usr/sbin/unbound", "/usr/bin/dnssec-keygen", "/usr/bin/dnssec-signzone")) {
            if (!Files.isExecutable(Path.of(tool))) {
                throw new IllegalStateException(tool + " is not installed: run the tests with bin/james-routing test, which installs "
                    + "unbound and bind9-utils");
            }
        }
        Path dir = Files.createDirectories(directory.resolve("signed-dns"));
        Files.createDirectories(dir.resolve("keys"));
        int port = TestPorts.free();
        StringBuilder config = new StringBuilder("""
            server:
                interface: 127.0.0.1
                port: %d
                do-ip6: no
                do-daemonize: no
                username: ""
                chroot: ""
                directory: "%s"
                pidfile: "%s/unbound.pid"
                use-syslog: no
                logfile: ""
                verbosity: 1
                val-log-level: 2
                access-control: 127.0.0.0/8 allow
                do-not-query-localhost: no
                module-config: "validator iterator"
                local-zone: "test." nodefault
                root-hints: "%s/root.hints"
                cache-max-ttl: 60
                cache-max-negative-ttl: 60
            """.formatted(port, dir, dir, dir));
        // the only "root server" is 127.0.0.1: a name outside the test zones is never asked of the Internet
        Files.writeString(dir.resolve("root.hints"), ".  3600000 NS a.root.invalid.\na.root.invalid. 3600000 A 127.0.0.1\n");
        StringBuilder authZones = new StringBuilder();
        for (Zone zone : zones) {
            Files.writeString(dir.resolve(zone.name() + ".zone"), "$TTL 300\n@ IN SOA ns." + zone.name() + ". hostmaster." + zone.name()
                + ". 1 3600 600 86400 300\n@ IN NS ns." + zone.name() + ".\nns IN A 127.0.0.1\n" + zone.records() + "\n");
            String file = zone.name() + ".zone";
            if (zone.signed()) {
                run(dir, "dnssec-keygen", "-q", "-K", "keys", "-a", "ECDSAP256SHA256", "-f", "KSK", "-n", "ZONE", zone.name());
                run(dir, "dnssec-keygen", "-q", "-K", "keys", "-a", "ECDSAP256SHA256", "-n", "ZONE", zone.name());
                run(dir, "dnssec-signzone", "-S", "-K", "keys", "-d", "keys", "-o", zone.name(), "-e", "+31536000",
                    "-f", zone.name() + ".zone.signed", zone.name() + ".zone");
                file = zone.name() + ".zone.signed";
                if (zone.tamperFrom() != null) {
                    String signed = Files.readString(dir.resolve(file));
                    if (!signed.contains(zone.tamperFrom())) {
                        throw new IllegalStateException("'" + zone.tamperFrom() + "' is not in the signed zone " + zone.name() + ":\n" + signed);
                    }
                    Files.writeString(dir.resolve(file), signed.replaceFirst(java.util.regex.Pattern.quote(zone.tamperFrom()),
                        java.util.regex.Matcher.quoteReplacement(zone.tamperTo())));
                }
                for (String line : Files.readAllLines(dir.resolve("keys/dsset-" + zone.name() + "."))) {
                    if (!line.isBlank()) {
                        config.append("    trust-anchor: \"").append(line.trim().replaceAll("\\s+", " ")).append("\"\n");
                    }
                }
            }
            authZones.append("auth-zone:\n    name: \"").append(zone.name()).append("\"\n    zonefile: \"").append(file)
                .append("\"\n    for-downstream: no\n    for-upstream: yes\n");
        }
        config.append(authZones);
        Path conf = dir.resolve("unbound.conf");
        Files.writeString(conf, config.toString());
        run(dir, "unbound-checkconf", conf.toString());
        Path log = dir.resolve("unbound.log");
        Process process = new ProcessBuilder("/usr/sbin/unbound", "-d", "-c", conf.toString()).redirectErrorStream(true)
            .redirectOutput(log.toFile()).start();
        long deadline = System.currentTimeMillis() + 20_000;
        while (!Files.readString(log).contains("start of service")) {
            if (!process.isAlive() || System.currentTimeMillis() > deadline) {
                process.destroyForcibly();
                throw new IOException("unbound did not start: " + Files.readString(log));
            }
            Thread.sleep(50);
        }
        return new SignedDns(process, port, log);
    }

    private static void run(Path dir, String... command) throws Exception {
        List<String> full = new ArrayList<>(List.of(command));
        Process process = new ProcessBuilder(full).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }

    public int port() {
        return port;
    }

    /** As {@code <dnsServers>} takes it. */
    public String server() {
        return "127.0.0.1:" + port;
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
