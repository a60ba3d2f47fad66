package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import org.jamesrouting.testing.TestSmtpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Routes that also look at the envelope sender, the SMTP AUTH user and the headers, in a real
 * James with real SMTP peers: each message lands at the peer of the first route whose pattern
 * and conditions all hold, else at the smart host.
 */
class RouteConditionsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path directory;

    static InProcessJames james;
    static TestSmtpServer smarthost;
    static TestSmtpServer sales;
    static TestSmtpServer bulk;
    static TestSmtpServer app;
    static TestSmtpServer dynamic;

    @BeforeAll
    static void start() throws Exception {
        smarthost = TestSmtpServer.start();
        sales = TestSmtpServer.start();
        bulk = TestSmtpServer.start();
        app = TestSmtpServer.start();
        dynamic = TestSmtpServer.start();
        JamesHome home = JamesHome.fromProjectConf(directory.resolve("james"))
            .outboundRouter("""
                <smarthost>127.0.0.1:%d tls=none</smarthost>
                <routes>file://conf/routes.conf</routes>
                <retrySchedule>1s</retrySchedule>
                <connectTimeout>2s</connectTimeout>
                <commandTimeout>5s</commandTimeout>
                """.formatted(smarthost.port()))
            .routes("""
                *              127.0.0.1:%d  tls=none  sender=*@sales.example.org  id=sales
                partner.test   127.0.0.1:%d  tls=none  header:X-Route=bulk  header:Subject~"*invoice %%%%*"  id=bulk
                partner.test   127.0.0.1:%d  tls=none  auth-user=app@*  id=app
                """.formatted(sales.port(), bulk.port(), app.port()));
        // AUTH on the SMTP port too (the shipped conf offers it on submission only, after STARTTLS)
        home.edit("smtpserver.xml", text -> text.replaceFirst("<announce>never</announce>", "<announce>always</announce>"));
        james = InProcessJames.start(home);
        james.webAdmin().addDomain("example.com");
        james.webAdmin().addUser("app@example.com", "app-pass");
    }

    @AfterAll
    static void stop() throws Exception {
        if (james != null) {
            james.close();
        }
        for (TestSmtpServer peer : List.of(smarthost, sales, bulk, app, dynamic)) {
            peer.close();
        }
    }

    private static String message(String from, String to, String extraHeaders, String subject) {
        return SmtpTestClient.message(from, to, subject).replaceFirst("\nSubject: ", "\n" + extraHeaders + "Subject: ");
    }

    private static String send(String from, String to, String extraHeaders, String subject) throws Exception {
        String message = message(from, to, extraHeaders, subject);
        SmtpTestClient.Transaction transaction = james.send(from, List.of(to), message);
        assertThat(transaction.dataReply().code()).isEqualTo(250);
        return SmtpTestClient.messageId(message);
    }

    private static TestSmtpServer landedAt(String messageId) throws Exception {
        return ItSupport.await("message " + messageId + " at a peer", () -> {
            for (TestSmtpServer peer : List.of(smarthost, sales, bulk, app, dynamic)) {
                if (peer.received().stream().anyMatch(received -> received.header("Message-ID").orElse("").equals(messageId))) {
                    return peer;
                }
            }
            return null;
        });
    }

    @Test
    void theSenderDecides() throws Exception {
        assertThat(landedAt(send("Someone@Sales.Example.org", "x@partner.test", "", "hello"))).isSameAs(sales);
        assertThat(landedAt(send("someone@example.org", "x@anywhere.test", "", "hello"))).isSameAs(smarthost);
    }

    @Test
    void allHeaderConditionsMustHold() throws Exception {
        assertThat(landedAt(send("a@example.org", "x@partner.test", "X-Route: Bulk\n", "Your invoice 42 of May"))).isSameAs(bulk);
        assertThat(landedAt(send("a@example.org", "x@partner.test", "X-Route: bulk\n", "Your invoice 4 of May")))
            .as("the subject has one digit, the pattern two").isSameAs(smarthost);
        assertThat(landedAt(send("a@example.org", "x@partner.test", "", "Your invoice 42 of May"))).isSameAs(smarthost);
        assertThat(landedAt(send("a@example.org", "x@partner.test", "X-Route: bulk\n", "=?UTF-8?B?WW91ciBpbnZvaWNlIDQyIOKCrA==?=")))
            .as("an RFC 2047 encoded subject is decoded first").isSameAs(bulk);
    }

    @Test
    void theAuthenticatedUserDecides() throws Exception {
        String message = message("app@example.com", "x@partner.test", "", "from the application");
        try (SmtpTestClient smtp = james.smtp()) {
            assertThat(smtp.command("EHLO client.test").code()).isEqualTo(250);
            String plain = Base64.getEncoder().encodeToString("\0app@example.com\0app-pass".getBytes(StandardCharsets.UTF_8));
            assertThat(smtp.command("AUTH PLAIN " + plain).code()).isEqualTo(235);
            assertThat(smtp.command("MAIL FROM:<app@example.com>").code()).isEqualTo(250);
            assertThat(smtp.command("RCPT TO:<x@partner.test>").code()).isEqualTo(250);
            assertThat(smtp.command("DATA").code()).isEqualTo(354);
            assertThat(smtp.command(message.replace("\n", "\r\n") + ".").code()).isEqualTo(250);
        }
        assertThat(landedAt(SmtpTestClient.messageId(message))).isSameAs(app);
        assertThat(landedAt(send("app@example.com", "x@partner.test", "", "not authenticated"))).isSameAs(smarthost);
    }

    @Test
    void explainTakesTheSameInputsAndSaysWhichConditionDecided() throws Exception {
        JsonNode explained = JSON.readTree(james.webAdmin().get("/routing/explain?address=x@partner.test&sender=a@example.org"
            + "&header=X-Route:bulk&header=Subject:invoice%201").body());
        assertThat(explained.get("route") == null || explained.get("route").isNull()).isTrue();
        assertThat(explained.get("skipped").toString()).contains("route sales", "sender <a@example.org> does not match *@sales.example.org",
            "route bulk", "header Subject~*invoice %%* does not hold (Subject: invoice 1)", "route app", "did not authenticate");

        JsonNode taken = JSON.readTree(james.webAdmin().get("/routing/explain?address=x@partner.test&sender=a@example.org"
            + "&header=X-Route:bulk&header=Subject:invoice%2012").body());
        assertThat(taken.get("route").get("id").asText()).isEqualTo("bulk");
        assertThat(taken.get("reason").asText()).contains("meets its conditions (header X-Route=bulk, header Subject~*invoice %%*)");
    }

    @Test
    void aDynamicRouteWithConditionsThroughWebadmin() throws Exception {
        WebAdminClient.Response added = james.webAdmin().request("POST", "/routing/routes",
            "{\"pattern\":\"*.dyn.test\",\"hosts\":[\"127.0.0.1:%d\"],\"tls\":\"none\",\"sender\":\"<>\"}".formatted(dynamic.port()));
        assertThat(added.status()).as(added.body()).isEqualTo(201);
        assertThat(JSON.readTree(added.body()).get("sender").asText()).isEqualTo("<>");
        WebAdminClient.Response bad = james.webAdmin().request("POST", "/routing/routes",
            "{\"pattern\":\"x.test\",\"hosts\":[\"127.0.0.1:25\"],\"headers\":[\"No value\"]}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("expected Name=value or Name~pattern");

        assertThat(landedAt(send("a@example.org", "x@mx.dyn.test", "", "with a sender"))).isSameAs(smarthost);
        String bounce = SmtpTestClient.message("", "x@mx.dyn.test", "a bounce");
        assertThat(james.send("", List.of("x@mx.dyn.test"), bounce).dataReply().code()).isEqualTo(250);
        assertThat(landedAt(SmtpTestClient.messageId(bounce))).isSameAs(dynamic);
    }
}
