package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JamesHomeTest {
    @TempDir
    Path directory;

    @Test
    void aNewSmtpPortThatBeginsWithTheShippedSubmissionPortIsNotRewrittenAgain() throws Exception {
        // CI once drew SMTP 25874 and submission 25875: prefix replacement made 258754 of it.
        JamesHome home = JamesHome.fromProjectConf(directory, 25874, 25875, 25876, 25877);

        String smtp = Files.readString(home.directory().resolve("conf/smtpserver.xml"));
        assertThat(smtp).contains("<bind>127.0.0.1:25874</bind>", "<bind>127.0.0.1:25875</bind>")
            .doesNotContain("258754", ":2525<", ":2587<");
        assertThat(Files.readString(home.directory().resolve("conf/imapserver.xml"))).contains("<bind>127.0.0.1:25876</bind>");
        assertThat(Files.readString(home.directory().resolve("conf/webadmin.properties"))).containsPattern("(?m)^port=25877$");
    }
}
