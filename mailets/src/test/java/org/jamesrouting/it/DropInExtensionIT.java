package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import javax.mail.internet.MimeMessage;

import org.jamesrouting.testing.TestSmtpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Add to your existing James": the stock James 3.8.1 memory application, in its own process,
 * with nothing of ours on its classpath — only james-routing-extension.jar dropped into its
 * extensions-jars/ folder and our configuration.
 */
class DropInExtensionIT {
    @TempDir
    Path directory;
    JamesProcess james;

    @AfterEach
    void stop() throws Exception {
        if (james != null) {
            james.close();
        }
    }

    @Test
    void theStockMemoryAppRunsOurMailetsAndHookFromExtensionsJars() throws Exception {
        JamesHome home = JamesHome.fromProjectConf(directory)
            .undeliveredRule("reject", "keep.test = store:memory://var/mail/undelivered/");
        Path jamesLib = JamesProcess.jamesLib();
        try (var jars = Files.list(jamesLib)) {
            assertThat(jars.map(path -> path.getFileName().toString()))
                .as("the James runtime holds none of our classes")
                .noneMatch(name -> name.contains("routing") || name.startsWith("mailets-"));
        }

        james = JamesProcess.launch(home).awaitStarted();
        assertThat(home.directory().resolve("extensions-jars/james-routing-extension.jar")).exists();

        WebAdminClient webAdmin = new WebAdminClient(home.webAdminPort());
        webAdmin.addDomain("example.com");
        webAdmin.addDomain("keep.test");
        webAdmin.addUser("bob@example.com", "bobpass");

        try (SmtpTestClient smtp = SmtpTestClient.connect(home.smtpPort())) {
            String message = SmtpTestClient.message("sender@remote.test", "bob@example.com", "drop-in");
            SmtpTestClient.Transaction transaction = smtp.send("sender@remote.test",
                List.of("bob@example.com", "nobody@example.com", "nobody@keep.test"), message);

            assertThat(transaction.rcptReplies()).extracting(SmtpTestClient.Reply::code)
                .as("our RCPT hook: unknown user refused where the rule is reject, accepted where it is store")
                .containsExactly(250, 550, 250);
            assertThat(transaction.dataReply().code()).isEqualTo(250);
        }

        List<MimeMessage> inbox = new Mailboxes(home.imapPort()).awaitInbox("bob@example.com", "bobpass", 1);
        assertThat(inbox.get(0).getSubject()).isEqualTo("drop-in");
        long deadline = System.currentTimeMillis() + 30_000;
        String keys = "";
        while (System.currentTimeMillis() < deadline) {
            WebAdminClient.Response response = webAdmin.repositoryMails("var/mail/undelivered/");
            keys = response.body();
            if (response.status() == 200 && keys.length() > 2) {
                break;
            }
            Thread.sleep(200);
        }
        assertThat(keys).as("our UndeliveredMailRule stored the mail").matches("\\[\".+\"\\]");
        assertThat(james.console())
            .contains("Undelivered mail").contains("nobody@keep.test").contains("store:memory://var/mail/undelivered/");
    }

    /**
     * The outbound job in the stock server too: a route of routes.conf, the smart host (down
     * here) and its backup, the dynamic table and explain over the host James's webadmin.
     */
    @Test
    void theStockMemoryAppRoutesOutboundMailWithRoutesSmartHostBackupAndWebAdmin() throws Exception {
        int deadSmartHost = JamesHome.freePort();
        try (TestSmtpServer routed = TestSmtpServer.start(); TestSmtpServer backup = TestSmtpServer.start();
             TestSmtpServer dynamic = TestSmtpServer.start()) {
            JamesHome home = JamesHome.fromProjectConf(directory)
                .outboundRouter("""
                    <smarthost>127.0.0.1:%d tls=none</smarthost>
                    <backup>127.0.0.1:%d tls=none</backup>
                    <routes>file://conf/routes.conf</routes>
                    <retrySchedule>1s</retrySchedule>
                    <connectTimeout>2s</connectTimeout>
                    <commandTimeout>5s</commandTimeout>
                    """.formatted(deadSmartHost, backup.port()))
                .routes("partner.test  127.0.0.1:%d  tls=none  comment=\"from routes.conf\"\n".formatted(routed.port()));
            james = JamesProcess.launch(home).awaitStarted();
            WebAdminClient webAdmin = new WebAdminClient(home.webAdminPort());

            WebAdminClient.Response routes = webAdmin.get("/routing/routes");
            assertThat(routes.status()).as(routes.body()).isEqualTo(200);
            assertThat(routes.body()).contains("partner.test").contains("from routes.conf");
            WebAdminClient.Response added = webAdmin.request("POST", "/routing/routes",
                "{\"pattern\":\"live.test\",\"hosts\":[\"127.0.0.1:%d\"],\"tls\":\"none\"}".formatted(dynamic.port()));
            assertThat(added.status()).as(added.body()).isEqualTo(201);
            WebAdminClient.Response explained = webAdmin.get("/routing/explain?address=someone@partner.test");
            assertThat(explained.status()).as(explained.body()).isEqualTo(200);
            assertThat(explained.body()).contains("partner.test").contains("127.0.0.1:" + routed.port());

            String toPartner = send(home, "someone@partner.test", "to the routed partner");
            String toLive = send(home, "someone@live.test", "by the route added over webadmin");
            String toElsewhere = send(home, "someone@elsewhere.test", "smart host down, so the backup");
            ItSupport.await("the routed message", () -> ItSupport.arrivals(routed, toPartner) == 1 ? true : null);
            ItSupport.await("the message on the live route", () -> ItSupport.arrivals(dynamic, toLive) == 1 ? true : null);
            ItSupport.await("the message at the backup", () -> ItSupport.arrivals(backup, toElsewhere) == 1 ? true : null);
            assertThat(ItSupport.arrivals(backup, toPartner) + ItSupport.arrivals(backup, toLive)).as("routed mail not at the backup").isZero();
        }
    }

    private static String send(JamesHome home, String to, String subject) throws Exception {
        String message = SmtpTestClient.message("sender@example.com", to, subject);
        try (SmtpTestClient smtp = SmtpTestClient.connect(home.smtpPort())) {
            assertThat(smtp.send("sender@example.com", List.of(to), message).dataReply().code()).isEqualTo(250);
        }
        return SmtpTestClient.messageId(message);
    }
}
