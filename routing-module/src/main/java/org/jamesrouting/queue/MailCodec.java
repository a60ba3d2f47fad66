package org.jamesrouting.queue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.mail.MessagingException;
import javax.mail.internet.AddressException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.server.core.MailImpl;
import org.apache.james.server.core.MimeMessageSource;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.PerRecipientHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A queued mail as one record: the envelope first (name, sender, recipients: enough to list,
 * find and remove it without reading the message), then state, error message, remote host and
 * address, attributes (as James's JSON form of each value: attributes without one are not
 * kept, as in James's JMS queues), per-recipient headers, and last the message exactly as it
 * was written (not parsed again on the way out: a relayed message is copied, never re-encoded).
 */
public final class MailCodec {
    private static final Logger LOGGER = LoggerFactory.getLogger(MailCodec.class);
    private static final int VERSION = 1;

    /** What the queue keeps in memory of each waiting mail. */
    public record Envelope(String name, MaybeSender sender, List<MailAddress> recipients) {
        public static Envelope of(Mail mail) {
            return new Envelope(mail.getName(), mail.getMaybeSender(), List.copyOf(mail.getRecipients()));
        }

        public boolean hasRecipient(String address) {
            return recipients.stream().anyMatch(r -> r.asString().equals(address));
        }
    }

    private MailCodec() {
    }

    /** The envelope alone (what {@link #envelope} reads): the queue's index of a waiting mail. */
    public static byte[] encodeEnvelope(Envelope envelope) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(VERSION);
        writeString(out, envelope.name());
        writeOptional(out, envelope.sender().asOptional().map(MailAddress::asString));
        out.writeInt(envelope.recipients().size());
        for (MailAddress recipient : envelope.recipients()) {
            writeString(out, recipient.asString());
        }
        out.flush();
        return bytes.toByteArray();
    }

    /** The whole mail: its envelope (as {@code envelope}, which is written as it is) then the rest. */
    public static byte[] encode(Mail mail, byte[] envelope) throws IOException, MessagingException {
        MimeMessage message = mail.getMessage();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(message == null ? 512 : (int) Math.min(Integer.MAX_VALUE - 1024, mail.getMessageSize() + envelope.length + 512));
        bytes.write(envelope);
        DataOutputStream out = new DataOutputStream(bytes);
        writeOptional(out, Optional.ofNullable(mail.getState()));
        writeOptional(out, Optional.ofNullable(mail.getErrorMessage()));
        out.writeLong(mail.getLastUpdated() == null ? -1 : mail.getLastUpdated().getTime());
        writeOptional(out, Optional.ofNullable(mail.getRemoteHost()));
        writeOptional(out, Optional.ofNullable(mail.getRemoteAddr()));
        List<Map.Entry<String, String>> attributes = new ArrayList<>();
        mail.attributes().forEach(attribute -> {
            Optional<JsonNode> json = attribute.getValue().toJson();
            if (json.isPresent()) {
                attributes.add(Map.entry(attribute.getName().asString(), json.get().toString()));
            } else {
                LOGGER.debug("Mail {}: attribute {} has no JSON form and is not queued", mail.getName(), attribute.getName().asString());
            }
        });
        out.writeInt(attributes.size());
        for (Map.Entry<String, String> attribute : attributes) {
            writeString(out, attribute.getKey());
            writeString(out, attribute.getValue());
        }
        var headers = mail.getPerRecipientSpecificHeaders().getHeadersByRecipient().entries();
        out.writeInt(headers.size());
        for (var header : headers) {
            writeString(out, header.getKey().asString());
            writeString(out, header.getValue().getName());
            writeString(out, header.getValue().getValue());
        }
        out.writeBoolean(message != null);
        out.flush();
        if (message != null) {
            message.writeTo(bytes);
        }
        return bytes.toByteArray();
    }

    public static Envelope envelope(byte[] record, int offset) throws IOException {
        return readEnvelope(new DataInputStream(new ByteArrayInputStream(record, offset, record.length - offset)));
    }

    public static Mail decode(byte[] record) throws IOException, MessagingException {
        ByteArrayInputStream bytes = new ByteArrayInputStream(record);
        DataInputStream in = new DataInputStream(bytes);
        Envelope envelope = readEnvelope(in);
        MailImpl.Builder mail = MailImpl.builder()
            .name(envelope.name())
            .sender(envelope.sender())
            .addRecipients(envelope.recipients());
        readOptional(in).ifPresent(mail::state);
        readOptional(in).ifPresent(mail::errorMessage);
        long lastUpdated = in.readLong();
        if (lastUpdated >= 0) {
            mail.lastUpdated(new Date(lastUpdated));
        }
        readOptional(in).ifPresent(mail::remoteHost);
        readOptional(in).ifPresent(mail::remoteAddr);
        int attributes = in.readInt();
        for (int i = 0; i < attributes; i++) {
            String name = readString(in);
            String json = readString(in);
            mail.addAttribute(new Attribute(AttributeName.of(name), AttributeValue.fromJsonString(json)));
        }
        int headers = in.readInt();
        PerRecipientHeaders perRecipient = new PerRecipientHeaders();
        for (int i = 0; i < headers; i++) {
            MailAddress recipient = new MailAddress(readString(in));
            String name = readString(in);
            String value = readString(in);
            perRecipient.addHeaderForRecipient(PerRecipientHeaders.Header.builder().name(name).value(value).build(), recipient);
        }
        mail.addAllHeadersForRecipients(perRecipient);
        boolean hasMessage = in.readBoolean();
        MailImpl decoded = mail.build();
        if (hasMessage) {
            // Not through the builder: MailImpl.setMessage copies the message into a new
            // (disposable) source; setMessageContent keeps ours, read when asked.
            decoded.setMessageContent(new Source(envelope.name(), record, record.length - bytes.available()));
        }
        return decoded;
    }

    private static Envelope readEnvelope(DataInputStream in) throws IOException {
        int version = in.readUnsignedByte();
        if (version != VERSION) {
            throw new IOException("queued mail record of version " + version + ", this server reads version " + VERSION);
        }
        String name = readString(in);
        try {
            Optional<String> sender = readOptional(in);
            MaybeSender maybeSender = sender.isPresent() ? MaybeSender.of(new MailAddress(sender.get())) : MaybeSender.nullSender();
            int count = in.readInt();
            List<MailAddress> recipients = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                recipients.add(new MailAddress(readString(in)));
            }
            return new Envelope(name, maybeSender, List.copyOf(recipients));
        } catch (AddressException e) {
            throw new IOException("queued mail " + name + ": bad address", e);
        }
    }

    private static void writeString(DataOutputStream out, String value) throws IOException {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] utf8 = new byte[in.readInt()];
        in.readFully(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }

    private static void writeOptional(DataOutputStream out, Optional<String> value) throws IOException {
        out.writeBoolean(value.isPresent());
        if (value.isPresent()) {
            writeString(out, value.get());
        }
    }

    private static Optional<String> readOptional(DataInputStream in) throws IOException {
        return in.readBoolean() ? Optional.of(readString(in)) : Optional.empty();
    }

    /** The message part of a record, read lazily by James's MimeMessageWrapper (no copy, no parse until asked). */
    private record Source(String id, byte[] record, int offset) implements MimeMessageSource {
        @Override
        public String getSourceId() {
            return id;
        }

        @Override
        public java.io.InputStream getInputStream() {
            return new ByteArrayInputStream(record, offset, record.length - offset);
        }

        @Override
        public long getMessageSize() {
            return record.length - offset;
        }
    }
}
