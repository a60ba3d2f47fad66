package org.jamesrouting.smtpclient;

import java.io.IOException;
import java.io.OutputStream;

import javax.activation.DataHandler;
import javax.mail.BodyPart;
import javax.mail.MessagingException;
import javax.mail.Multipart;
import javax.mail.Part;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimePart;
import javax.mail.util.ByteArrayDataSource;

/**
 * For a peer without 8BITMIME (RFC 6152): tells whether a message has 8-bit bytes, and makes
 * a 7-bit copy whose 8-bit parts are re-encoded (quoted-printable for text, base64 otherwise),
 * headers and Message-ID kept.
 */
public final class SevenBitConverter {
    private SevenBitConverter() {
    }

    public static boolean hasEightBit(MimeMessage message) throws IOException, MessagingException {
        EightBitDetector detector = new EightBitDetector();
        message.writeTo(detector);
        return detector.found;
    }

    public static MimeMessage toSevenBit(MimeMessage original) throws MessagingException, IOException {
        MimeMessage copy = new MimeMessage(original) {
            @Override
            protected void updateMessageID() {
                // keep the original Message-ID
            }
        };
        reencode(copy);
        copy.saveChanges();
        return copy;
    }

    private static void reencode(Part part) throws MessagingException, IOException {
        if (part.isMimeType("multipart/*")) {
            Multipart multipart = (Multipart) part.getContent();
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart child = multipart.getBodyPart(i);
                reencode(child);
            }
            part.setContent(multipart);
            return;
        }
        if (part.isMimeType("message/rfc822")) {
            return;
        }
        String[] encoding = part.getHeader("Content-Transfer-Encoding");
        String current = encoding == null ? "7bit" : encoding[0].trim().toLowerCase(java.util.Locale.ROOT);
        if (current.equals("8bit") || current.equals("binary") || (current.equals("7bit") && hasEightBit(part))) {
            // Decoded under the old encoding, then given a plain data source: JavaMail would
            // otherwise copy the part's raw 8-bit bytes as they are.
            String newEncoding = part.isMimeType("text/*") ? "quoted-printable" : "base64";
            String contentType = part.getContentType();
            byte[] decoded = part.getInputStream().readAllBytes();
            part.setDataHandler(new DataHandler(new ByteArrayDataSource(decoded, contentType)));
            part.setHeader("Content-Type", contentType);
            part.removeHeader("Content-Transfer-Encoding");
            if (part instanceof MimePart mimePart) {
                mimePart.setHeader("Content-Transfer-Encoding", newEncoding);
            }
        }
    }

    private static boolean hasEightBit(Part part) throws IOException, MessagingException {
        EightBitDetector detector = new EightBitDetector();
        part.getInputStream().transferTo(detector);
        return detector.found;
    }

    private static final class EightBitDetector extends OutputStream {
        boolean found;

        @Override
        public void write(int b) {
            if ((b & 0x80) != 0) {
                found = true;
            }
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            for (int i = offset; i < offset + length && !found; i++) {
                if ((bytes[i] & 0x80) != 0) {
                    found = true;
                }
            }
        }
    }
}
