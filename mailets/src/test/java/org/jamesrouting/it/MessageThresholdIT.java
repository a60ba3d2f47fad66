package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A message memory threshold James cannot read (conf/jvm.properties) stops the server at start,
 * naming the file and the setting, instead of a server that answers every DATA with 451. Its
 * own process: the threshold is read once per JVM.
 */
class MessageThresholdIT {
    @TempDir
    Path directory;

    @Test
    void aThresholdJamesCannotReadStopsTheStart() throws Exception {
        JamesHome home = JamesHome.fromProjectConf(directory)
            .edit("jvm.properties", text -> text.replace("james.message.memory.threshold=512KiB", "james.message.memory.threshold=512K"));
        try (JamesProcess james = JamesProcess.launchRoutingServer(home)) {
            assertThat(james.awaitExit()).isNotZero();
            assertThat(james.console())
                .contains("conf/jvm.properties: james.message.memory.threshold=512K cannot be read")
                .contains("512KiB");
        }
    }
}
