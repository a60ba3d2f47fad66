package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import java.util.stream.Collectors;

import org.jamesrouting.testing.TestSmtpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing lost: the server bin/james-routing runs (durable queues), as a real process, killed
 * with SIGKILL while mail waits or flows, then started again on the same working directory.
 */
class DurabilityIT {
    /** Retries are due 1 s apart here and the queue hands them out when due: a restart plus a few. */
    private static final java.time.Duration RETRY_LATENCY = java.time.Duration.ofSeconds(60);

    @TempDir
    Path directory;

    private JamesHome home(int relayPort) {
        return JamesHome.fromProjectConf(directory).outboundRouter("""
            <smarthost>127.0.0.1:%d tls=none</smarthost>
            <retrySchedule>1s</retrySchedule>
            <connectTimeout>2s</connectTimeout>
            <commandTimeout>10s</commandTimeout>
            """.formatted(relayPort));
    }

    private static String send(JamesHome home, int index) throws Exception {
        String message = SmtpTestClient.message("someone@example.com", "r" + index + "@remote.test", "durable " + index);
        try (SmtpTestClient smtp = SmtpTestClient.connect(home.smtpPort())) {
            SmtpTestClient.Transaction transaction = smtp.send("someone@example.com", List.of("r" + index + "@remote.test"), message);
            if (transaction.dataReply() == null || transaction.dataReply().code() != 250) {
                throw new IllegalStateException("not accepted: " + transaction.dataReply());
            }
        }
        return SmtpTestClient.messageId(message);
    }

    /**
     * The queued message's content is in the queue store (written and synced before SMTP's
     * 250), not in a separate file beside it (James's blob files are written without fsync, so
     * a power cut could leave an acknowledged message without its content).
     */
    private static void assertContentIsInTheQueueStore(JamesHome home, String text) throws java.io.IOException {
        byte[] wanted = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        List<Path> files;
        try (java.util.stream.Stream<Path> walk = java.nio.file.Files.walk(home.directory().resolve("var/store/queue"))) {
            files = walk.filter(java.nio.file.Files::isRegularFile).toList();
        }
        assertThat(files).as("the queue store, one file").extracting(file -> file.getFileName().toString()).containsExactly("mail-queues.mv");
        assertThat(indexOf(java.nio.file.Files.readAllBytes(files.get(0)), wanted)).as("'" + text + "' in " + files.get(0)).isGreaterThanOrEqualTo(0);
    }

    private static int indexOf(byte[] data, byte[] wanted) {
        outer:
        for (int i = 0; i + wanted.length <= data.length; i++) {
            for (int j = 0; j < wanted.length; j++) {
                if (data[i + j] != wanted[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static List<String> missing(List<String> ids, TestSmtpServer relay) {
        Map<String, Long> counts = countsById(relay);
        return ids.stream().filter(id -> !counts.containsKey(id)).toList();
    }

    private static Map<String, Long> countsById(TestSmtpServer relay) {
        return relay.received().stream().collect(Collectors.groupingBy(received -> received.header("Message-ID").orElse(""),
            Collectors.counting()));
    }

    /**
     * 20 messages deferred for a down relay, SIGKILL while they are retried every second,
     * restart, relay back: each arrives exactly once. On failure the report carries the queue
     * listing, the relay port's sockets and a thread dump of the restarted server (that is how
     * the "lost" message of session 1 turned out to be a delivery thread waiting 5 minutes for a
     * silent peer's greeting: hence the 10 s commandTimeout here).
     */
    @Test
    void mailWaitingForADownRelaySurvivesKillMinus9AndIsDeliveredExactlyOnce() throws Exception {
        int relayPort = JamesHome.freePort();
        JamesHome home = home(relayPort);
        List<String> ids = new java.util.ArrayList<>();
        String firstRun;
        try (JamesProcess james = JamesProcess.launchRoutingServer(home).awaitStarted()) {
            for (int i = 0; i < 20; i++) {
                ids.add(send(home, i));
            }
            ItSupport.await("deferrals in the log", () -> james.console().contains("Deferred") ? true : null);
            assertContentIsInTheQueueStore(home, "durable 7");
            james.kill();
            firstRun = james.console();
        }

        try (TestSmtpServer relay = TestSmtpServer.start("127.0.0.1", relayPort);
             JamesProcess restarted = JamesProcess.launchRoutingServer(home).awaitStarted()) {
            try {
                ItSupport.await("all 20 at the relay", RETRY_LATENCY, () -> countsById(relay).keySet().containsAll(ids) ? true : null);
            } catch (AssertionError e) {
                List<String> missing = missing(ids, relay);
                String history = restarted.console().lines()
                    .filter(line -> missing.stream().anyMatch(line::contains) || line.contains("ERROR") || line.contains("WARN") || line.contains("Dropped"))
                    .collect(Collectors.joining("\n"));
                String before = firstRun.lines().filter(line -> missing.stream().anyMatch(line::contains)).collect(Collectors.joining("\n"));
                WebAdminClient webAdmin = new WebAdminClient(home.webAdminPort());
                String queues = webAdmin.get("/mailQueues").body() + "\noutgoing: " + webAdmin.get("/mailQueues/outgoing/mails").body()
                    + "\nspool: " + webAdmin.get("/mailQueues/spool/mails").body();
                Path report = Path.of("/tmp/durability-failure-" + System.currentTimeMillis() + ".log");
                java.nio.file.Files.writeString(report, restarted.console() + "\n\nTHREADS\n" + restarted.threadDump());
                Process ss = new ProcessBuilder("ss", "-tanp").redirectErrorStream(true).start();
                String sockets = new String(ss.getInputStream().readAllBytes()).lines()
                    .filter(line -> line.contains(":" + relayPort + " ")).collect(Collectors.joining("\n"));
                WebAdminClient.Response flush = webAdmin.request("PATCH", "/mailQueues/outgoing/mails?delayed=true", "{\"delayed\": false}");
                Thread.sleep(20_000);
                List<String> stillMissing = missing(ids, relay);
                queues += "\nsockets on the relay port:\n" + sockets + "\nflush: " + flush + "; still missing after flush + 20 s: " + stillMissing + "; report " + report;
                throw new AssertionError((20 - missing.size()) + " of 20 arrived; missing " + missing + ":\nbefore the kill:\n" + before
                    + "\nafter:\n" + history + "\nqueues: " + queues, e);
            }
            ItSupport.awaitSettled(new WebAdminClient(home.webAdminPort()));
            Map<String, Long> counts = countsById(relay);
            for (String id : ids) {
                assertThat(counts.get(id)).as(id).isEqualTo(1L);
            }
        }
    }

    /**
     * A first attempt made from the spool (the mail is not in {@code outgoing} yet) is under way
     * at a slow relay when the server is killed: the spool still has the mail, and after the
     * restart it is delivered, once.
     */
    @Test
    void killedDuringAFirstAttemptFromTheSpoolTheMailIsDeliveredAfterTheRestart() throws Exception {
        int relayPort = JamesHome.freePort();
        JamesHome home = home(relayPort);
        String id;
        try (TestSmtpServer slow = TestSmtpServer.start("127.0.0.1", relayPort).stall(2000);
             JamesProcess james = JamesProcess.launchRoutingServer(home).awaitStarted()) {
            WebAdminClient webAdmin = new WebAdminClient(home.webAdminPort());
            id = send(home, 0);
            ItSupport.await("the first attempt under way from the spool", () -> {
                String status = webAdmin.get("/routing/status").body();
                return status.contains("\"inFlight\":1") && status.contains("\"fromSpool\":1") && status.contains("\"queued\":0") ? true : null;
            });
            james.kill();
            assertThat(slow.received()).as("the slow relay had not got it yet").isEmpty();
        }
        try (TestSmtpServer relay = TestSmtpServer.start("127.0.0.1", relayPort);
             JamesProcess restarted = JamesProcess.launchRoutingServer(home).awaitStarted()) {
            ItSupport.await("the mail at the relay after the restart", RETRY_LATENCY, () -> ItSupport.arrivals(relay, id) >= 1 ? true : null);
            ItSupport.awaitSettled(new WebAdminClient(home.webAdminPort()));
            assertThat(ItSupport.arrivals(relay, id)).isEqualTo(1);
        }
    }

    /**
     * The benchmark's load (20 SMTP sessions at once, as bench/relay.sh sends) and a SIGKILL in
     * the middle of it: after the restart every message whose 250 the clients read is
     * delivered; duplicates (mail in the hands of a spool or delivery thread at the kill, or
     * delivered just before it) are counted and bounded.
     */
    @Test
    void killedInTheMiddleOfTwentySessionsEveryAcceptedMessageIsDeliveredDuplicatesCounted() throws Exception {
        try (TestSmtpServer relay = TestSmtpServer.start()) {
            JamesHome home = home(relay.port());
            ConcurrentLinkedQueue<String> accepted = new ConcurrentLinkedQueue<>();
            java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
            ExecutorService senders = Executors.newFixedThreadPool(20);
            try (JamesProcess james = JamesProcess.launchRoutingServer(home).awaitStarted()) {
                List<Future<?>> streams = new java.util.ArrayList<>();
                for (int session = 0; session < 20; session++) {
                    streams.add(senders.submit(() -> {
                        while (true) {
                            try {
                                accepted.add(send(home, next.getAndIncrement()));
                            } catch (Exception e) {
                                return;
                            }
                        }
                    }));
                }
                // 300 acknowledged to the clients (not only 300 at the relay: the relay can have
                // a message before its client has read the 250)
                ItSupport.await("a few hundred deliveries", () -> relay.received().size() >= 300 && accepted.size() >= 300 ? true : null);
                james.kill();
                for (Future<?> stream : streams) {
                    stream.get();
                }
            } finally {
                senders.shutdownNow();
            }
            try (JamesProcess restarted = JamesProcess.launchRoutingServer(home).awaitStarted()) {
                ItSupport.await("every accepted message at the relay", RETRY_LATENCY,
                    () -> countsById(relay).keySet().containsAll(accepted) ? true : null);
                ItSupport.awaitSettled(new WebAdminClient(home.webAdminPort()));
            }
            Map<String, Long> counts = countsById(relay);
            long duplicates = accepted.stream().map(counts::get).filter(count -> count > 1).count();
            System.out.println("DurabilityIT: 20 sessions, " + accepted.size() + " accepted before the kill, all delivered, "
                + duplicates + " delivered twice");
            assertThat(accepted.stream().map(counts::get)).allMatch(count -> count != null && count >= 1);
            // at most: the spool's 20 threads, the outbound router's 16 delivery threads, 20 more
            // whose removal from the queue had not reached the disk
            assertThat(duplicates).as("duplicates: only messages in flight at the kill").isLessThanOrEqualTo(20 + 16 + 20);
            assertThat(counts.values().stream().mapToLong(Long::longValue).max().orElse(0)).isLessThanOrEqualTo(2);
        }
    }

}
