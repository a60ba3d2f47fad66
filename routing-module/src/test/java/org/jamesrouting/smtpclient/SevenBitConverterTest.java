package org.jamesrouting.smtpclient;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

import javax.mail.Session;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

import org.junit.jupiter.api.Test;

class SevenBitConverterTest {
    private static MimeMessage parse(byte[] bytes) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes));
    }

    private static byte[] bytes(MimeMessage message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }

    @Test
    void reencodesEightBitPartsAndKeepsTheMessageId() throws Exception {
        MimeMessage original = parse(("From: a@src.test\r\nMessage-ID: <keep@src.test>\r\nSubject: greetings\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=UTF-8\r\n"
            + "Content-Transfer-Encoding: 8bit\r\n\r\nGrüße aus Köln\r\n--b\r\nContent-Type: application/octet-stream\r\n"
            + "Content-Transfer-Encoding: binary\r\n\r\n\u00ff\u00fe\r\n--b--\r\n").getBytes(StandardCharsets.UTF_8));
        assertThat(SevenBitConverter.hasEightBit(original)).isTrue();

        byte[] converted = bytes(SevenBitConverter.toSevenBit(original));

        for (byte b : converted) {
            assertThat(b & 0x80).isZero();
        }
        MimeMessage reparsed = parse(converted);
        assertThat(reparsed.getMessageID()).isEqualTo("<keep@src.test>");
        assertThat(reparsed.getSubject()).isEqualTo("greetings");
        MimeMultipart parts = (MimeMultipart) reparsed.getContent();
        assertThat(parts.getBodyPart(0).getContent().toString()).contains("Grüße aus Köln");
        assertThat(parts.getBodyPart(0).getHeader("Content-Transfer-Encoding")[0]).isEqualTo("quoted-printable");
        assertThat(parts.getBodyPart(1).getHeader("Content-Transfer-Encoding")[0]).isEqualTo("base64");
        assertThat(parts.getBodyPart(1).getInputStream().readAllBytes()).isEqualTo("\u00ff\u00fe".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aSevenBitMessageIsLeftAlone() throws Exception {
        MimeMessage plain = parse("From: a@src.test\r\nSubject: hi\r\n\r\nplain ascii\r\n".getBytes(StandardCharsets.US_ASCII));

        assertThat(SevenBitConverter.hasEightBit(plain)).isFalse();
    }
}
