package org.jamesrouting.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MailQueueChoiceTest {
    @TempDir
    Path conf;

    @Test
    void diskWithoutTheFileOrWhenChosen() throws Exception {
        assertThat(MailQueueChoice.read(conf)).isEqualTo(MailQueueChoice.DISK);
        Files.writeString(conf.resolve("queue.properties"), "# comment\nqueue.implementation = disk\n");
        assertThat(MailQueueChoice.read(conf)).isEqualTo(MailQueueChoice.DISK);
    }

    @Test
    void activemqWhenChosen() throws Exception {
        Files.writeString(conf.resolve("queue.properties"), "queue.implementation=activemq\n");
        assertThat(MailQueueChoice.read(conf)).isEqualTo(MailQueueChoice.ACTIVEMQ);
        assertThat(MailQueueChoice.read(conf).module()).isInstanceOf(ActiveMqMailQueueModule.class);
    }

    @Test
    void anythingElseNamesTheFileAndLine() throws Exception {
        Files.writeString(conf.resolve("queue.properties"), "# queues\n\nqueue.implementation=kafka\n");
        assertThatThrownBy(() -> MailQueueChoice.read(conf))
            .hasMessageContaining("queue.properties, line 3").hasMessageContaining("'kafka'").hasMessageContaining("disk or activemq");
        Files.writeString(conf.resolve("queue.properties"), "queue.implementaton=disk\n");
        assertThatThrownBy(() -> MailQueueChoice.read(conf)).hasMessageContaining("line 1: unknown setting 'queue.implementaton'");
    }

    @Test
    void theShippedFileChoosesDisk() {
        Path shipped = Path.of(System.getProperty("user.dir")).resolve("../conf");
        assertThat(MailQueueChoice.read(shipped)).isEqualTo(MailQueueChoice.DISK);
    }
}
