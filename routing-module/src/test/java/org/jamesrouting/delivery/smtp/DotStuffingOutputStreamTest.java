package org.jamesrouting.delivery.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class DotStuffingOutputStreamTest {
    private static String stuff(String input) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DotStuffingOutputStream out = new DotStuffingOutputStream(bytes);
        out.write(input.getBytes(StandardCharsets.ISO_8859_1));
        out.finish();
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void normalizesLineEndingsAndDoublesLeadingDots() throws Exception {
        assertThat(stuff("a\nb\r\nc\rd")).isEqualTo("a\r\nb\r\nc\r\nd\r\n.\r\n");
        assertThat(stuff(".\n..x\nx.\n")).isEqualTo("..\r\n...x\r\nx.\r\n.\r\n");
        assertThat(stuff(".")).isEqualTo("..\r\n.\r\n");
        assertThat(stuff("")).isEqualTo(".\r\n");
        assertThat(stuff("end\r\n")).isEqualTo("end\r\n.\r\n");
        assertThat(stuff("end\r")).isEqualTo("end\r\n.\r\n");
    }
}
