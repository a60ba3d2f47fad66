package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import javax.mail.internet.MimeMessage;

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

}
