package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.jamesrouting.testing.TestSmtpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server bin/james-routing runs, as a real process, keeps what it was told and what it
 * accepted across an orderly stop (SIGTERM: what Ctrl-C and {@code systemctl stop} do) and a
 * {@code kill -9}: domains, domain aliases, users and their passwords, address aliases,
 * forwards, the INBOX, the dynamic routing table and DNS pins, in the Derby database and the
 * files under its home.
 */
class RestartIT {
    private static final String PASSWORD = "s3cret-Pw";

    @TempDir
    Path directory;

    @Test
    void everythingSurvivesAnOrderlyStopAndAKill() throws Exception {
        JamesHome home = JamesHome.fromProjectConf(directory);
        WebAdminClient webAdmin = new WebAdminClient(home.webAdminPort());
        Mailboxes mailboxes = new Mailboxes(home.imapPort());
        try (TestSmtpServer routed = TestSmtpServer.start(); TestSmtpServer pinned = TestSmtpServer.start()) {
            String first;
            try (JamesProcess james = JamesProcess.launchRoutingServer(home).awaitStarted()) {
                webAdmin.addDomain("example.test");
                webAdmin.addDomain("alias.test");
                webAdmin.addDomainAlias("example.test", "alias.test");
                webAdmin.addUser("bob@example.test", PASSWORD);
                webAdmin.addUser("carol@example.test", PASSWORD);
                webAdmin.addAddressAlias("bob@example.test", "robert@example.test");
                assertThat(webAdmin.request("PUT", "/address/forwards/carol@example.test/targets/bob@example.test", null).status()).isEqualTo(204);
                WebAdminClient.Response route = webAdmin.request("POST", "/routing/routes",
                    "{\"pattern\":\"routed.test\",\"hosts\":[\"127.0.0.1:%d\"],\"tls\":\"none\"}".formatted(routed.port()));
                assertThat(route.status()).as(route.body()).isEqualTo(201);
                WebAdminClient.Response pin = webAdmin.request("PUT", "/routing/dns-cache/pinned.test",
                    "{\"hosts\":[\"127.0.0.1:%d\"]}".formatted(pinned.port()));
                assertThat(pin.status()).as(pin.body()).isEqualTo(200);

                first = send(home, "robert@example.test", "before the stop");
                mailboxes.awaitMessageId("bob@example.test", PASSWORD, first);
            }
            assertThat(Files.isDirectory(home.directory().resolve("var/store/derby"))).as("Derby database under the home").isTrue();

            String second;
            try (JamesProcess james = JamesProcess.launchRoutingServer(home).awaitStarted()) {
                assertThat(webAdmin.get("/domains").body()).contains("\"example.test\"");
                assertThat(webAdmin.get("/domains/example.test/aliases").body()).contains("alias.test");
                assertThat(webAdmin.get("/users").body()).contains("bob@example.test", "carol@example.test");
                assertThat(webAdmin.get("/address/aliases/bob@example.test").body()).contains("robert@example.test");
                assertThat(webAdmin.get("/address/forwards/carol@example.test").body()).contains("bob@example.test");
                assertThat(webAdmin.get("/routing/routes").body()).contains("routed.test");
                assertThat(webAdmin.get("/routing/dns-cache").body()).contains("pinned.test");
                // the password, checked by IMAP login, and the message accepted before the stop
                assertThat(ids(mailboxes.inbox("bob@example.test", PASSWORD))).contains(first);

                // the rewrites work, not only list: domain alias, then forward, to bob
                second = send(home, "carol@alias.test", "forwarded after the restart");
                mailboxes.awaitMessageId("bob@example.test", PASSWORD, second);
                // the dynamic route and the pin still steer mail
                String toRoute = send(home, "someone@routed.test", "routed after the restart");
                String toPin = send(home, "someone@pinned.test", "pinned after the restart");
                ItSupport.await("the routed message at its peer", () -> ItSupport.arrivals(routed, toRoute) == 1 ? true : null);
                ItSupport.await("the pinned message at its peer", () -> ItSupport.arrivals(pinned, toPin) == 1 ? true : null);

                // acknowledged with 250, then the process is killed at once
                String last = send(home, "bob@example.test", "just before the kill");
                james.kill();
                try (JamesProcess restarted = JamesProcess.launchRoutingServer(home).awaitStarted()) {
                    mailboxes.awaitMessageId("bob@example.test", PASSWORD, last);
                    List<String> inbox = ids(mailboxes.inbox("bob@example.test", PASSWORD));
                    assertThat(inbox).contains(first, second);
                    assertThat(inbox.stream().filter(last::equals).count()).as("delivered once").isEqualTo(1);
                    assertThat(webAdmin.get("/users").body()).contains("bob@example.test", "carol@example.test");
                    assertThat(webAdmin.get("/routing/routes").body()).contains("routed.test");
                }
            }
        }
    }

    private static String send(JamesHome home, String to, String subject) throws Exception {
        String message = SmtpTestClient.message("sender@outside.test", to, subject);
        try (SmtpTestClient smtp = SmtpTestClient.connect(home.smtpPort())) {
            SmtpTestClient.Transaction transaction = smtp.send("sender@outside.test", List.of(to), message);
            assertThat(transaction.dataReply()).as("DATA reply for " + to).isNotNull();
            assertThat(transaction.dataReply().code()).as("DATA reply for " + to).isEqualTo(250);
        }
        return SmtpTestClient.messageId(message);
    }

    private static List<String> ids(List<javax.mail.internet.MimeMessage> messages) throws Exception {
        List<String> ids = new java.util.ArrayList<>();
        for (javax.mail.internet.MimeMessage message : messages) {
            ids.add(message.getMessageID());
        }
        return ids;
    }
}
