package org.jamesrouting.it;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A plain SMTP client that shows every reply as the server gave it, so tests can assert the
 * exact codes (e.g. {@code 550 5.1.1} at RCPT).
 */
public final class SmtpTestClient implements Closeable {
    public record Reply(int code, String text) {
        public boolean positive() {
            return code >= 200 && code < 400;
        }

        @Override
        public String toString() {
            return code + " " + text;
        }
    }

    /** What one transaction got: a reply per RCPT, and the DATA reply (null when no RCPT was accepted). */
    public record Transaction(List<Reply> rcptReplies, Reply dataReply) {
    }

    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;

    private SmtpTestClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        this.out = socket.getOutputStream();
    }

    public static SmtpTestClient connect(int port) throws IOException {
        return connect(port, "127.0.0.1");
    }

    /** Connects from the given local (loopback) address, so the server sees that client address. */
    public static SmtpTestClient connect(int port, String localAddress) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(localAddress, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(30_000);
        SmtpTestClient client = new SmtpTestClient(socket);
        Reply greeting = client.read();
        if (greeting.code() != 220) {
            throw new IOException("Unexpected greeting " + greeting);
        }
        return client;
    }

    public Reply command(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return read();
    }

    private Reply read() throws IOException {
        StringBuilder text = new StringBuilder();
        while (true) {
            String line = in.readLine();
            if (line == null) {
                throw new IOException("Connection closed by server");
            }
            if (line.length() < 3) {
                throw new IOException("Malformed reply line: " + line);
            }
            text.append(line.length() > 4 ? line.substring(4) : "");
            if (line.length() == 3 || line.charAt(3) == ' ') {
                return new Reply(Integer.parseInt(line.substring(0, 3)), text.toString());
            }
            text.append('\n');
        }
    }

    /** EHLO, MAIL, every RCPT, DATA when one was accepted. The message is sent as given (CRLF, dot-stuffed here). */
    public Transaction send(String from, List<String> recipients, String message) throws IOException {
        java.util.Map<String, String> withoutParameters = new java.util.LinkedHashMap<>();
        recipients.forEach(recipient -> withoutParameters.put(recipient, ""));
        return send(from, "", withoutParameters, message);
    }

    /** As {@link #send(String, List, String)}, with SMTP parameters after each address (e.g. " RET=HDRS", " NOTIFY=NEVER"). */
    public Transaction send(String from, String mailParameters, java.util.Map<String, String> recipients, String message) throws IOException {
        expect(command("EHLO client.test"), 250);
        expect(command("MAIL FROM:<" + from + ">" + mailParameters), 250);
        List<Reply> rcptReplies = new ArrayList<>();
        for (java.util.Map.Entry<String, String> recipient : recipients.entrySet()) {
            rcptReplies.add(command("RCPT TO:<" + recipient.getKey() + ">" + recipient.getValue()));
        }
        if (rcptReplies.stream().noneMatch(Reply::positive)) {
            command("RSET");
            return new Transaction(rcptReplies, null);
        }
        expect(command("DATA"), 354);
        StringBuilder data = new StringBuilder();
        String text = message.replace("\r\n", "\n");
        for (String line : (text.endsWith("\n") ? text.substring(0, text.length() - 1) : text).split("\n", -1)) {
            data.append(line.startsWith(".") ? "." + line : line).append("\r\n");
        }
        data.append(".");
        return new Transaction(rcptReplies, command(data.toString()));
    }

    private static void expect(Reply reply, int code) throws IOException {
        if (reply.code() != code) {
            throw new IOException("Expected " + code + " but got " + reply);
        }
    }

    /** A small message with a unique Message-ID, which it returns through {@link #messageId}. */
    public static String message(String from, String to, String subject) {
        return "From: <" + from + ">\n"
            + "To: <" + to + ">\n"
            + "Subject: " + subject + "\n"
            + "Message-ID: <" + UUID.randomUUID() + "@client.test>\n"
            + "Date: Wed, 25 Nov 2026 10:00:00 +0000\n"
            + "\n"
            + "Hello,\n.leading dot line\nbye\n";
    }

    public static String messageId(String message) {
        for (String line : message.split("\n")) {
            if (line.startsWith("Message-ID: ")) {
                return line.substring("Message-ID: ".length()).trim();
            }
        }
        throw new IllegalArgumentException("no Message-ID");
    }

    @Override
    public void close() throws IOException {
        try {
            command("QUIT");
        } catch (IOException e) {
            // already closed by the server
        }
        socket.close();
    }
}
