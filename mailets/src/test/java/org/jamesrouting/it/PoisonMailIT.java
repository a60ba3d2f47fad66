package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.jamesrouting.testing.TestSmtpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A failure the router cannot get past (here: the repository for failed mail of a null sender
 * cannot be written, its directory being a file) loses nothing: the mail is parked with the
 * error, shown by /routing/queue and /routing/status, and "queue flush parked" puts it back once
 * the cause is fixed.
 */
class PoisonMailIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path directory;
    static InProcessJames james;
    static TestSmtpServer peer;
    static Path brokenRepository;

    @BeforeAll
    static void start() throws Exception {
        peer = TestSmtpServer.start().replyTo("dead@peer.test", "550 5.1.1 no such user");
        JamesHome home = JamesHome.fromProjectConf(directory.resolve("james"))
            .outboundRouter("""
                <routes>file://conf/routes.conf</routes>
                <failedRepository>file://var/mail/failed-here/</failedRepository>
                <poisonRepository>file://var/mail/parked/</poisonRepository>
                <retrySchedule>1s</retrySchedule>
                """)
            .routes("peer.test 127.0.0.1:%d tls=none\n".formatted(peer.port()));
        brokenRepository = home.directory().resolve("var/mail/failed-here");
        Files.createDirectories(brokenRepository.getParent());
        Files.writeString(brokenRepository, "a file where a directory should be");
        james = InProcessJames.start(home);
    }

    @AfterAll
    static void stop() throws Exception {
        if (james != null) {
            james.close();
        }
        peer.close();
    }

    @Test
    void mailThatCannotBeHandledIsParkedShownAndReleased() throws Exception {
        String message = SmtpTestClient.message("", "dead@peer.test", "a bounce that bounces");
        assertThat(james.send("", List.of("dead@peer.test"), message).dataReply().code()).isEqualTo(250);

        JsonNode parked = ItSupport.await("the mail parked", () -> {
            JsonNode queue = JSON.readTree(james.webAdmin().get("/routing/queue").body());
            return queue.path("parked").size() == 1 ? queue.path("parked").get(0) : null;
        });
        assertThat(parked.path("recipients").get(0).asText()).isEqualTo("dead@peer.test");
        assertThat(parked.path("error").asText()).contains("the DSN could not be sent", "cannot keep failed mail in file://var/mail/failed-here");
        assertThat(JSON.readTree(james.webAdmin().get("/routing/status").body()).path("parked").asInt()).isEqualTo(1);

        Files.delete(brokenRepository);
        JsonNode released = JSON.readTree(james.webAdmin().request("POST", "/routing/queue/flush?destination=parked", null).body());
        assertThat(released.toString()).contains("1");

        ItSupport.await("the failed mail kept where it belongs", () ->
            JSON.readTree(james.webAdmin().repositoryMails("var/mail/failed-here/").body()).size() == 1 ? true : null);
        ItSupport.awaitSettled(james.webAdmin());
        assertThat(JSON.readTree(james.webAdmin().get("/routing/queue").body()).path("parked")).isEmpty();
        assertThat(peer.received()).isEmpty();
    }
}
