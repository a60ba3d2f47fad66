package org.jamesrouting.smtpserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

import javax.mail.Session;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeUtility;

import org.junit.jupiter.api.Test;

class EightBitHeadersTest {
    private static MimeMessage parse(byte[] bytes) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes));
    }

    private static String written(MimeMessage message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private static final String UTF8_MESSAGE = "From: Jürgen Groß <juergen@example.com>\r\n"
        + "To: \"Zoë\" <zoe@remote.test>, plain@remote.test\r\n"
        + "Subject: Grüße aus Köln — 日本語の件名\r\n"
        + "X-Plain: only ascii\r\n"
        + "\r\n"
        + "Body: ça reste 8 bits\r\n";

    @Test
    void utf8HeaderTextBecomesEncodedWordsThatDecodeToTheSameText() throws Exception {
        MimeMessage message = parse(UTF8_MESSAGE.getBytes(StandardCharsets.UTF_8));

        assertThat(EightBitHeaders.encode(message)).isTrue();

        String headers = written(message).split("\r\n\r\n")[0];
        assertThat(headers.chars()).allMatch(c -> c < 0x80);
        assertThat(MimeUtility.decodeText(MimeUtility.unfold(message.getHeader("Subject")[0]))).isEqualTo("Grüße aus Köln — 日本語の件名");
        InternetAddress from = (InternetAddress) message.getFrom()[0];
        assertThat(from.getAddress()).isEqualTo("juergen@example.com");
        assertThat(from.getPersonal()).isEqualTo("Jürgen Groß");
        InternetAddress[] to = InternetAddress.parseHeader(message.getHeader("To")[0], true);
        assertThat(to).extracting(InternetAddress::getAddress).containsExactly("zoe@remote.test", "plain@remote.test");
        assertThat(to[0].getPersonal()).isEqualTo("Zoë");
        assertThat(message.getHeader("X-Plain")).containsExactly("only ascii");
    }

    @Test
    void theBodyIsLeftAlone() throws Exception {
        MimeMessage message = parse(UTF8_MESSAGE.getBytes(StandardCharsets.UTF_8));

        EightBitHeaders.encode(message);

        String body = written(message).split("\r\n\r\n", 2)[1];
        assertThat(new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8)).isEqualTo("Body: ça reste 8 bits\r\n");
    }

    @Test
    void textThatIsNotUtf8IsReadAsWindows1252() throws Exception {
        MimeMessage message = parse("Subject: Café für alle\r\n\r\nhi\r\n".getBytes(Charset.forName("windows-1252")));

        assertThat(EightBitHeaders.encode(message)).isTrue();

        assertThat(MimeUtility.decodeText(message.getHeader("Subject")[0])).isEqualTo("Café für alle");
    }

    @Test
    void aMessageWithoutEightBitHeadersIsUntouched() throws Exception {
        MimeMessage message = parse("Subject: plain\r\nFrom: a@b.test\r\n\r\nbödy\r\n".getBytes(StandardCharsets.UTF_8));

        assertThat(EightBitHeaders.encode(message)).isFalse();
        assertThat(message.getHeader("Subject")).containsExactly("plain");
    }

    @Test
    void anEightBitAddressIsEncodedWholeRatherThanLost() throws Exception {
        MimeMessage message = parse("To: Ü <üser@remote.test>\r\n\r\nhi\r\n".getBytes(StandardCharsets.UTF_8));

        EightBitHeaders.encode(message);

        assertThat(message.getHeader("To")[0].chars()).allMatch(c -> c < 0x80);
        assertThat(MimeUtility.decodeText(MimeUtility.unfold(message.getHeader("To")[0]))).isEqualTo("Ü <üser@remote.test>");
    }
}
