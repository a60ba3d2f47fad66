package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README command 1, as a newcomer runs it: {@code bin/james-routing server --home DIR} starts
 * James on the documented ports with the project's conf/, mail flows, and a stop signal ends it.
 */
class LauncherIT {
    private static final List<Integer> PORTS = List.of(2525, 2587, 1143, 8000);

    @TempDir
    Path home;

    @Test
    void serverCommandRunsJamesOnTheDocumentedPortsAndStopsCleanly() throws Exception {
        for (int port : PORTS) {
            assertThat(isFree(port)).as("port %d must be free for this test (is a james-routing server running?)", port).isTrue();
        }
        Path script = JamesHome.projectRoot().resolve("bin/james-routing");
        Path output = home.resolve("launcher.out");
        Process process = new ProcessBuilder(script.toString(), "server", "--home", home.toString())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
        try {
            awaitWebAdmin(process, output);
            String printed = Files.readString(output);
            assertThat(printed).contains("SMTP        127.0.0.1:2525").contains("submission  127.0.0.1:2587")
                .contains("IMAP        127.0.0.1:1143").contains("http://127.0.0.1:8000")
                .contains(home.toString()).contains(home.resolve("logs/james.log").toString());
            assertThat(home.resolve("conf/mailetcontainer.xml")).exists();
            assertThat(home.resolve("conf/keystore")).as("TLS keystore generated at first start").exists();

            WebAdminClient webAdmin = new WebAdminClient(8000);
            webAdmin.addDomain("example.com");
            webAdmin.addUser("bob@example.com", "bobpass");
            try (SmtpTestClient smtp = SmtpTestClient.connect(2525)) {
                SmtpTestClient.Transaction transaction = smtp.send("sender@remote.test",
                    List.of("bob@example.com", "nobody@example.com"),
                    SmtpTestClient.message("sender@remote.test", "bob@example.com", "launched"));
                assertThat(transaction.rcptReplies()).extracting(SmtpTestClient.Reply::code).containsExactly(250, 550);
            }
            assertThat(new Mailboxes(1143).awaitInbox("bob@example.com", "bobpass", 1).get(0).getSubject()).isEqualTo("launched");
            assertThat(home.resolve("logs/james.log")).exists();
        } finally {
            process.destroy();
            boolean ended = process.waitFor(60, TimeUnit.SECONDS);
            if (!ended) {
                process.destroyForcibly().waitFor();
            }
            assertThat(ended).as("stops on SIGTERM within 60 s").isTrue();
        }
        for (int port : PORTS) {
            assertThat(isFree(port)).as("port %d released", port).isTrue();
        }
    }

    private static void awaitWebAdmin(Process process, Path output) throws Exception {
        long deadline = System.currentTimeMillis() + 300_000;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("bin/james-routing server exited with " + process.exitValue() + ":\n" + Files.readString(output));
            }
            try {
                if (new WebAdminClient(8000).get("/domains").status() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("server did not start:\n" + Files.readString(output));
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            socket.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
