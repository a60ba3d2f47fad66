package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;

import org.jamesrouting.testing.TestPorts;
import org.jamesrouting.testing.TestSmtpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Recipient verification at RCPT time through a real James: the route to the internal server
 * says {@code verify=rcpt}; James asks it ({@code MAIL FROM:<>}, {@code RCPT TO}, {@code RSET})
 * before it answers its own client: a known user is accepted and delivered, an unknown one gets
 * 550 5.1.1 (and the answer is cached: asked once for two tries), a server that answers 4xx or
 * cannot be reached gives 451; a route without {@code verify=rcpt} accepts anyone, as before.
 */
class RecipientVerificationIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path directory;
    static TestSmtpServer internal;
    static TestSmtpServer other;
    static ServerSocket closed;
    static InProcessJames james;

    @BeforeAll
    static void start() throws Exception {
        internal = TestSmtpServer.start()
            .replyTo("ghost@internal.test", "550 5.1.1 <ghost@internal.test>: Recipient address rejected: User unknown")
            .replyTo("busy@internal.test", "451 4.3.0 directory unavailable, try later");
        other = TestSmtpServer.start().replyTo("ghost@other.test", "550 5.1.1 unknown");
        closed = new ServerSocket();
        closed.bind(new InetSocketAddress("127.0.0.1", TestPorts.free()));
        int closedPort = closed.getLocalPort();
        closed.close(); // nothing listens there now
        JamesHome home = JamesHome.fromProjectConf(directory.resolve("james"))
            .outboundRouter("""
                <routes>file://conf/routes.conf</routes>
                <connectTimeout>2s</connectTimeout>
                <commandTimeout>5s</commandTimeout>
                """)
            .routes("""
                internal.test   127.0.0.1:%d   tls=none id=internal verify=rcpt
                down.test       127.0.0.1:%d   tls=none id=down verify=rcpt
                other.test      127.0.0.1:%d   tls=none id=other
                """.formatted(internal.port(), closedPort, other.port()));
        james = InProcessJames.start(home);
    }

    @AfterAll
    static void stop() throws Exception {
        if (james != null) {
            james.close();
        }
        internal.close();
        other.close();
    }

    private static long rcptsAtInternal(String recipient) {
        return internal.commands().stream().filter(("RCPT TO:<" + recipient + ">")::equalsIgnoreCase).count();
    }

    @Test
    void theInternalServerDecidesAtRcptTime() throws Exception {
        String message = SmtpTestClient.message("someone@example.com", "known@internal.test", "verified");
        SmtpTestClient.Transaction transaction;
        try (SmtpTestClient smtp = james.smtp()) {
            transaction = smtp.send("someone@example.com",
                List.of("known@internal.test", "ghost@internal.test", "busy@internal.test", "x@down.test", "ghost@other.test"), message);
        }

        assertThat(transaction.rcptReplies().get(0).code()).isEqualTo(250);
        assertThat(transaction.rcptReplies().get(1).code()).isEqualTo(550);
        assertThat(transaction.rcptReplies().get(1).text()).contains("5.1.1", "ghost@internal.test", "unknown user");
        assertThat(transaction.rcptReplies().get(2).code()).as("the server answered 4xx").isEqualTo(451);
        assertThat(transaction.rcptReplies().get(3).code()).as("the server cannot be reached").isEqualTo(451);
        assertThat(transaction.rcptReplies().get(4).code()).as("a route without verify=rcpt: accepted, as before").isEqualTo(250);
        assertThat(transaction.dataReply().code()).isEqualTo(250);

        String id = SmtpTestClient.messageId(message);
        ItSupport.await("the message at the internal server", () -> ItSupport.arrivals(internal, id) == 1 ? true : null);
        assertThat(internal.received().stream().filter(received -> received.header("Message-ID").orElse("").equals(id)).findFirst()
            .orElseThrow().recipients()).containsExactly("known@internal.test");
        assertThat(internal.commands()).contains("MAIL FROM:<>", "RSET");

        try (SmtpTestClient smtp = james.smtp()) {
            smtp.command("EHLO client.test");
            smtp.command("MAIL FROM:<someone@example.com>");
            SmtpTestClient.Reply again = smtp.command("RCPT TO:<ghost@internal.test>");
            assertThat(again.code()).isEqualTo(550);
            assertThat(smtp.command("RCPT TO:<known@internal.test>").code()).isEqualTo(250);
        }
        assertThat(rcptsAtInternal("ghost@internal.test")).as("the unknown answer is cached").isEqualTo(1);
        assertThat(rcptsAtInternal("busy@internal.test")).as("a 4xx is not cached").isEqualTo(1);
        assertThat(JSON.readTree(james.webAdmin().get("/routing/routes/internal").body()).path("verify").asText()).isEqualTo("rcpt");
    }
}
