package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our server (a real process, the shipped conf) listens on the services its configuration
 * names and on nothing else: no message broker port (James's own embedded ActiveMQ opens an
 * unauthenticated OpenWire port on loopback; our queues have no broker), no JMX, no UDP.
 */
class ListeningSocketsIT {
    @TempDir
    Path directory;

    @Test
    void onlyTheConfiguredServicesListen() throws Exception {
        JamesHome home = JamesHome.fromProjectConf(directory.resolve("james"));
        try (JamesProcess james = JamesProcess.launchRoutingServer(home).awaitStarted()) {
            // the queues (spool, outgoing) are created and consumed from the start
            Set<String> listening = listeningSockets(james.pid());
            assertThat(listening).containsExactlyInAnyOrder("tcp 127.0.0.1:" + home.smtpPort(), "tcp 127.0.0.1:" + home.submissionPort(),
                "tcp 127.0.0.1:" + home.imapPort(), "tcp 127.0.0.1:" + home.webAdminPort());
            assertThat(james.console()).contains("no network transport");
        }
    }

    /** "tcp 127.0.0.1:2525" for each socket the process listens on (TCP) or has bound (UDP), as ss reports them. */
    static Set<String> listeningSockets(long pid) throws Exception {
        Process ss = new ProcessBuilder("ss", "-H", "-l", "-n", "-p", "-t", "-u").redirectErrorStream(true).start();
        String output = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ss.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Set<String> sockets = new TreeSet<>();
        for (String line : output.lines().toList()) {
            if (!line.contains("pid=" + pid + ",")) {
                continue;
            }
            String[] fields = line.trim().split("\\s+");
            String local = fields[4].replace("[::ffff:", "").replace("]", "");
            sockets.add(fields[0] + " " + local);
        }
        return sockets;
    }
}
