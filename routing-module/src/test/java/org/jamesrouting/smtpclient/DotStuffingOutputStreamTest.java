package org.jamesrouting.smtpclient;

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

    @Test
    void writingInChunksGivesWhatWritingByteByByteGives() throws Exception {
        java.util.Random random = new java.util.Random(42);
        byte[] alphabet = {'a', 'b', '.', '.', '\r', '\n', ' ', (byte) 0xe9};
        for (int round = 0; round < 2000; round++) {
            byte[] input = new byte[random.nextInt(60)];
            for (int i = 0; i < input.length; i++) {
                input[i] = alphabet[random.nextInt(alphabet.length)];
            }
            ByteArrayOutputStream single = new ByteArrayOutputStream();
            DotStuffingOutputStream one = new DotStuffingOutputStream(single);
            for (byte b : input) {
                one.write(b);
            }
            one.finish();
            ByteArrayOutputStream chunked = new ByteArrayOutputStream();
            DotStuffingOutputStream many = new DotStuffingOutputStream(chunked);
            int at = 0;
            while (at < input.length) {
                int length = Math.min(input.length - at, 1 + random.nextInt(7));
                many.write(input, at, length);
                at += length;
            }
            many.finish();
            assertThat(chunked.toByteArray()).as(new String(input, StandardCharsets.ISO_8859_1)).isEqualTo(single.toByteArray());
        }
    }
}
