package org.jamesrouting.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Postfix (Debian's package) as a test peer, a private instance under a directory of the
 * test's own ({@code postfix -c DIR/etc start}), listening on one loopback port and relaying all
 * it accepts to {@code relayPort} (a {@link TestSmtpServer} that records it). Either a relay that
 * offers STARTTLS and, only inside TLS, SASL (Cyrus, sasldb) to one user, as a provider's smart
 * host does; or a plain MX without STARTTLS or AUTH that takes mail from 127.0.0.0/8.
 * See shared notes "tls-test-peers" for the recipe and its pitfalls.
 */
public final class PostfixPeer implements AutoCloseable {
    private final Path directory;
    private final int port;

    private PostfixPeer(Path directory, int port) {
        this.directory = directory;
        this.port = port;
    }

    /** A relay: STARTTLS with {@code pki}'s certificate, then AUTH PLAIN/LOGIN for {@code user@realm}. */
    public static PostfixPeer relay(Path directory, int port, String hostName, TestPki pki, String user, String realm, String password,
                                    int relayPort) throws Exception {
        Path dir = prepare(directory);
        Files.createDirectories(dir.resolve("etc/sasl"));
        Files.writeString(dir.resolve("etc/sasl/smtpd.conf"), """
            pwcheck_method: auxprop
            auxprop_plugin: sasldb
            mech_list: PLAIN LOGIN
            sasldb_path: %s
            """.formatted(dir.resolve("sasldb2")));
        Process saslpasswd = new ProcessBuilder("saslpasswd2", "-c", "-p", "-f", dir.resolve("sasldb2").toString(), "-u", realm, user)
            .redirectErrorStream(true).start();
        saslpasswd.getOutputStream().write((password + "\n").getBytes());
        saslpasswd.getOutputStream().close();
        run(saslpasswd, "saslpasswd2");
        run(new ProcessBuilder("chgrp", "postfix", dir.resolve("sasldb2").toString()).redirectErrorStream(true).start(), "chgrp");
        return start(dir, port, mainCf(dir, port, hostName, relayPort) + """
            mynetworks = 127.0.0.1/32
            smtpd_relay_restrictions = permit_sasl_authenticated, reject
            smtpd_tls_security_level = may
            smtpd_tls_chain_files = %s, %s
            smtpd_tls_auth_only = yes
            smtpd_tls_loglevel = 1
            smtpd_tls_received_header = yes
            smtpd_sasl_auth_enable = yes
            smtpd_sasl_type = cyrus
            smtpd_sasl_path = smtpd
            cyrus_sasl_config_path = %s
            smtpd_sasl_security_options = noanonymous
            smtpd_sasl_tls_security_options = noanonymous
            """.formatted(pki.serverKey(), pki.serverChain(), dir.resolve("etc/sasl")));
    }

    /** A plain MX: no STARTTLS, no AUTH, takes mail from 127.0.0.0/8. */
    public static PostfixPeer plainMx(Path directory, int port, String hostName, int relayPort) throws Exception {
        Path dir = prepare(directory);
        return start(dir, port, mainCf(dir, port, hostName, relayPort) + """
            mynetworks = 127.0.0.0/8
            smtpd_relay_restrictions = permit_mynetworks, reject
            smtpd_tls_security_level = none
            """);
    }

    private static Path prepare(Path directory) throws Exception {
        Path dir = directory.toAbsolutePath();
        Files.createDirectories(dir.resolve("etc"));
        // postfix needs to search every directory above its own (JUnit's are 0700)
        for (Path parent = dir; parent != null && !parent.toString().equals("/"); parent = parent.getParent()) {
            if (!Files.isSymbolicLink(parent)) {
                java.util.Set<java.nio.file.attribute.PosixFilePermission> permissions = Files.getPosixFilePermissions(parent);
                permissions.addAll(PosixFilePermissions.fromString("--x--x--x"));
                Files.setPosixFilePermissions(parent, permissions);
            }
        }
        Files.createDirectories(dir.resolve("queue"));
        Files.createDirectories(dir.resolve("data"));
        run(new ProcessBuilder("chown", "postfix", dir.resolve("data").toString()).redirectErrorStream(true).start(), "chown");
        return dir;
    }

    private static String mainCf(Path dir, int port, String hostName, int relayPort) {
        return """
            compatibility_level = 3.6
            queue_directory = %1$s/queue
            data_directory = %1$s/data
            mail_owner = postfix
            inet_interfaces = 127.0.0.1
            inet_protocols = ipv4
            myhostname = %2$s
            mydestination =
            alias_maps =
            alias_database =
            maillog_file = %1$s/maillog
            maillog_file_prefixes = %1$s
            biff = no
            smtputf8_enable = no
            relayhost = [127.0.0.1]:%3$d
            """.formatted(dir, hostName, relayPort);
    }

    private static PostfixPeer start(Path dir, int port, String mainCf) throws Exception {
        if (!Files.isExecutable(Path.of("/usr/sbin/postfix")) || !Files.isExecutable(Path.of("/usr/sbin/saslpasswd2"))) {
            throw new IllegalStateException("postfix or sasl2-bin is not installed: run the tests with bin/james-routing test");
        }
        Files.writeString(dir.resolve("etc/main.cf"), mainCf);
        Files.writeString(dir.resolve("etc/master.cf"), """
            127.0.0.1:%d inet n - n - - smtpd
            pickup    unix  n - n 60 1 pickup
            cleanup   unix  n - n - 0 cleanup
            qmgr      unix  n - n 300 1 qmgr
            tlsmgr    unix  - - n 1000? 1 tlsmgr
            rewrite   unix  - - n - - trivial-rewrite
            bounce    unix  - - n - 0 bounce
            defer     unix  - - n - 0 bounce
            trace     unix  - - n - 0 bounce
            verify    unix  - - n - 1 verify
            flush     unix  n - n 1000? 0 flush
            proxymap  unix  - - n - - proxymap
            smtp      unix  - - n - - smtp
            relay     unix  - - n - - smtp
            showq     unix  n - n - - showq
            error     unix  - - n - - error
            retry     unix  - - n - - error
            discard   unix  - - n - - discard
            local     unix  - n n - - local
            lmtp      unix  - - n - - lmtp
            anvil     unix  - - n - 1 anvil
            scache    unix  - - n - 1 scache
            postlog   unix-dgram n - n - 1 postlogd
            """.formatted(port));
        PostfixPeer peer = new PostfixPeer(dir, port);
        Process start = new ProcessBuilder("/usr/sbin/postfix", "-c", dir.resolve("etc").toString(), "start").redirectErrorStream(true).start();
        String output = new String(start.getInputStream().readAllBytes());
        if (!start.waitFor(60, TimeUnit.SECONDS) || start.exitValue() != 0) {
            throw new IOException("postfix start failed (" + output + "): " + peer.maillog());
        }
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
                return peer;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IOException("postfix does not listen on " + port + ": " + peer.maillog());
    }

    private static void run(Process process, String what) throws Exception {
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(what + " failed: " + output);
        }
    }

    public int port() {
        return port;
    }

    /** Postfix's log of this instance. */
    public String maillog() throws IOException {
        Path log = directory.resolve("maillog");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() throws Exception {
        List<String> command = new ArrayList<>(List.of("/usr/sbin/postfix", "-c", directory.resolve("etc").toString(), "stop"));
        Process stop = new ProcessBuilder(command).redirectErrorStream(true).start();
        stop.getInputStream().readAllBytes();
        stop.waitFor(30, TimeUnit.SECONDS);
    }
}
