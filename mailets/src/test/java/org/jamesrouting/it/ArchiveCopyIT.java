package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import javax.mail.internet.MimeMessage;

import org.jamesrouting.testing.TestSmtpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbound archive: a copy of what left for matching recipients, in a local mailbox, and
 * never anywhere else.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ArchiveCopyIT {
    @TempDir
    static Path directory;

    static InProcessJames james;
    static TestSmtpServer relay;

    @BeforeAll
    static void start() throws Exception {
        relay = TestSmtpServer.start();
        JamesHome home = JamesHome.fromProjectConf(directory.resolve("james"))
            .outboundRouter("""
                <smarthost>127.0.0.1:%d tls=none</smarthost>
                <archiveCopyTo>archive@example.com</archiveCopyTo>
                <archivePattern>.archived.test</archivePattern>
                <retrySchedule>1s</retrySchedule>
                <connectTimeout>2s</connectTimeout>
                <commandTimeout>5s</commandTimeout>
                """.formatted(relay.port()));
        james = InProcessJames.start(home);
        james.webAdmin().addDomain("example.com");
        james.webAdmin().addUser("archive@example.com", "archive-pass");
    }

    @AfterAll
    static void stop() throws Exception {
        if (james != null) {
            james.close();
        }
        relay.close();
    }

    @Test
    @Order(1)
    void aCopyOfWhatLeftForMatchingRecipientsLandsInTheArchiveMailbox() throws Exception {
        String archived = ItSupport.send(james, "someone@example.org", "bob@eu.archived.test", "to be archived");
        String other = ItSupport.send(james, "someone@example.org", "bob@other.test", "not archived");
        ItSupport.await("both at the relay", () -> ItSupport.arrivals(relay, archived) == 1 && ItSupport.arrivals(relay, other) == 1 ? true : null);

        MimeMessage copy = james.mailboxes().awaitMessageId("archive@example.com", "archive-pass", archived);
        assertThat(copy.getSubject()).isEqualTo("to be archived");
        assertThat(copy.getHeader("X-Outbound-Delivered-To", null)).startsWith("bob@eu.archived.test via ");
        ItSupport.awaitSettled(james.webAdmin());
        assertThat(james.mailboxes().inbox("archive@example.com", "archive-pass")).hasSize(1);
        assertThat(ItSupport.arrivals(relay, archived)).as("the original left once; the copy did not leave").isEqualTo(1);
    }

    @Test
    @Order(2)
    void anArchiveAddressThatIsNotLocalGetsNothingAndNothingLeavesTwice() throws Exception {
        assertThat(james.webAdmin().request("DELETE", "/domains/example.com", null).status()).isEqualTo(204);
        String archived = ItSupport.send(james, "someone@example.org", "ann@archived.test", "archive not local any more");
        ItSupport.await("the original at the relay", () -> ItSupport.arrivals(relay, archived) == 1 ? true : null);
        ItSupport.awaitSettled(james.webAdmin());

        assertThat(relay.received().stream().filter(received -> received.recipients().contains("archive@example.com")).count()).isZero();
        assertThat(ItSupport.arrivals(relay, archived)).isEqualTo(1);
    }
}
