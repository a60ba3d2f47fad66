package org.jamesrouting.smtpserver;

import java.io.UnsupportedEncodingException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import javax.mail.Header;
import javax.mail.MessagingException;
import javax.mail.internet.AddressException;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeUtility;

/**
 * Raw 8-bit header text (UTF-8 sent without SMTPUTF8, or Latin-1 from old clients) turned into
 * RFC 2047 encoded words, so that it survives James: James 3.8.1 writes every header line it
 * stores or queues as US-ASCII, which turns each 8-bit byte into "?". Unstructured fields are
 * encoded whole; in address fields (From, To, ...) only the display names are, the addresses
 * stay as they are. Text that is not valid UTF-8 is read as windows-1252.
 */
public final class EightBitHeaders {
    private static final Set<String> ADDRESS_FIELDS = Set.of("from", "sender", "reply-to", "to", "cc", "bcc",
        "resent-from", "resent-sender", "resent-to", "resent-cc", "resent-bcc", "disposition-notification-to");
    private static final Charset FALLBACK = Charset.forName("windows-1252");

    private EightBitHeaders() {
    }

    /** Re-encodes the 8-bit header fields of {@code message}; false (message untouched) when there are none. */
    public static boolean encode(MimeMessage message) throws MessagingException {
        Set<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (Header header : Collections.list(message.getAllHeaders())) {
            if (hasEightBit(header.getValue())) {
                names.add(header.getName());
            }
        }
        for (String name : names) {
            String[] values = message.getHeader(name);
            message.removeHeader(name);
            for (String value : values) {
                message.addHeader(name, hasEightBit(value) ? encodeValue(name, value) : value);
            }
        }
        return !names.isEmpty();
    }

    static boolean hasEightBit(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0x7F) {
                return true;
            }
        }
        return false;
    }

    /** A header value as JavaMail read it (one char per byte) into its 7-bit form. */
    static String encodeValue(String name, String rawValue) {
        String text = decode(MimeUtility.unfold(rawValue).trim());
        if (ADDRESS_FIELDS.contains(name.toLowerCase(Locale.ROOT))) {
            try {
                InternetAddress[] addresses = InternetAddress.parseHeader(text, false);
                for (InternetAddress address : addresses) {
                    if (hasEightBit(address.getAddress())) {
                        return encodeText(name, text);
                    }
                    if (address.getPersonal() != null) {
                        address.setPersonal(address.getPersonal(), "UTF-8");
                    }
                }
                return MimeUtility.fold(name.length() + 2, InternetAddress.toString(addresses));
            } catch (AddressException | UnsupportedEncodingException e) {
                return encodeText(name, text);
            }
        }
        return encodeText(name, text);
    }

    private static String encodeText(String name, String text) {
        try {
            return MimeUtility.fold(name.length() + 2, MimeUtility.encodeText(text, "UTF-8", null));
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException("UTF-8 is always there", e);
        }
    }

    /** The bytes behind JavaMail's one-char-per-byte reading, as UTF-8, else windows-1252. */
    static String decode(String oneCharPerByte) {
        byte[] bytes = oneCharPerByte.getBytes(StandardCharsets.ISO_8859_1);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, FALLBACK);
        }
    }
}
