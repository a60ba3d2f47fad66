package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.jamesrouting.testing.TestSmtpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * recipients-per-message and messages-per-connection on a route: one message for five
 * recipients reaches the peer as three transactions (2 + 2 + 1 recipients) over two connections;
 * a route without them takes the OutboundRouter's (here 3 recipients per transaction); explain
 * shows both and where they come from.
 */
class BatchingIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path directory;
    static TestSmtpServer batched;
    static TestSmtpServer plain;
    static InProcessJames james;

    @BeforeAll
    static void start() throws Exception {
        batched = TestSmtpServer.start();
        plain = TestSmtpServer.start();
        JamesHome home = JamesHome.fromProjectConf(directory.resolve("james"))
            .outboundRouter("""
                <routes>file://conf/routes.conf</routes>
                <recipientsPerMessage>3</recipientsPerMessage>
                <connectTimeout>2s</connectTimeout>
                <commandTimeout>5s</commandTimeout>
                """)
            .routes("""
                batch.test   127.0.0.1:%d   tls=none id=batch recipients-per-message=2 messages-per-connection=2
                plain.test   127.0.0.1:%d   tls=none id=plain
                """.formatted(batched.port(), plain.port()));
        james = InProcessJames.start(home);
    }

    @AfterAll
    static void stop() throws Exception {
        if (james != null) {
            james.close();
        }
        batched.close();
        plain.close();
    }

    private static List<String> recipients(String domain, int count) {
        List<String> recipients = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            recipients.add("user" + i + "@" + domain);
        }
        return recipients;
    }

    @Test
    void aRoutesMailIsCutIntoTransactionsAndConnectionsAsItSays() throws Exception {
        List<String> to = recipients("batch.test", 5);
        String message = SmtpTestClient.message("someone@example.org", to.get(0), "five recipients");
        assertThat(james.send("someone@example.org", to, message).dataReply().code()).isEqualTo(250);

        ItSupport.await("five recipients at the peer",
            () -> batched.received().stream().mapToInt(received -> received.recipients().size()).sum() == 5 ? true : null);
        ItSupport.awaitSettled(james.webAdmin());

        assertThat(batched.received()).extracting(received -> received.recipients().size()).containsExactly(2, 2, 1);
        assertThat(batched.received()).flatExtracting(TestSmtpServer.Received::recipients).containsExactlyInAnyOrderElementsOf(to);
        assertThat(batched.received()).allMatch(received -> received.header("Message-ID").equals(
            java.util.Optional.of(SmtpTestClient.messageId(message))));
        assertThat(batched.connections()).as("2 transactions on the first connection, the third on a new one").isEqualTo(2);
    }

    @Test
    void aRouteWithoutOptionsTakesTheMailetsAndExplainSaysWhere() throws Exception {
        List<String> to = recipients("plain.test", 4);
        assertThat(james.send("someone@example.org", to, SmtpTestClient.message("someone@example.org", to.get(0), "four"))
            .dataReply().code()).isEqualTo(250);

        ItSupport.await("four recipients at the peer",
            () -> plain.received().stream().mapToInt(received -> received.recipients().size()).sum() == 4 ? true : null);
        assertThat(plain.received()).extracting(received -> received.recipients().size()).containsExactly(3, 1);

        JsonNode own = JSON.readTree(james.webAdmin().get("/routing/explain?address=x@batch.test").body());
        assertThat(own.path("batching").asText())
            .isEqualTo("recipients-per-message=2 messages-per-connection=2 (route batch: recipients-per-message=2 messages-per-connection=2)");
        JsonNode defaults = JSON.readTree(james.webAdmin().get("/routing/explain?address=x@plain.test").body());
        assertThat(defaults.path("batching").asText())
            .isEqualTo("recipients-per-message=3 messages-per-connection=100 (the OutboundRouter's <recipientsPerMessage>, <messagesPerConnection>)");
        JsonNode route = JSON.readTree(james.webAdmin().get("/routing/routes/batch").body());
        assertThat(route.path("recipientsPerMessage").asInt()).isEqualTo(2);
        assertThat(route.path("messagesPerConnection").asInt()).isEqualTo(2);
        assertThat(JSON.readTree(james.webAdmin().get("/routing/routes/plain").body()).has("recipientsPerMessage")).isFalse();
    }
}
