package org.jamesrouting.mtasts;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import org.jamesrouting.dns.AddressLookup;
import org.jamesrouting.dns.MailDns;

/**
 * {@code GET https://mta-sts.<domain>/.well-known/mta-sts.txt} as RFC 8461 §3.3 asks: the name
 * resolved through our DNS servers, TLS 1.2 or later with a certificate trusted and valid for
 * {@code mta-sts.<domain>}, status 200 only (no redirect followed), {@code text/plain}, at most
 * 64 KB, the whole exchange within {@code timeout}.
 */
public final class HttpsPolicyFetcher implements PolicyFetcher {
    /** RFC 8461 §3.3 suggests 64 KB as the limit of a policy. */
    static final int MAX_BODY = 64 * 1024;
    private static final int MAX_HEADERS = 16 * 1024;
    private static final String PATH = "/.well-known/mta-sts.txt";

    private final MailDns dns;
    private final X509TrustManager trust;
    private final int port;
    private final Duration timeout;

    /** @param port 443, but for tests */
    public HttpsPolicyFetcher(MailDns dns, X509TrustManager trust, int port, Duration timeout) {
        this.dns = dns;
        this.trust = trust;
        this.port = port;
        this.timeout = timeout;
    }

    @Override
    public String fetch(String domain) throws IOException {
        String host = "mta-sts." + domain;
        AddressLookup lookup = dns.addresses(host);
        if (lookup instanceof AddressLookup.Failure failure) {
            throw new IOException(failure.reason());
        }
        if (!(lookup instanceof AddressLookup.Found found)) {
            throw new IOException(host + " has no address");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        for (InetAddress address : found.addresses().subList(0, Math.min(2, found.addresses().size()))) {
            try {
                return fetchFrom(address, host, deadline);
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }

    private String fetchFrom(InetAddress address, String host, long deadline) throws IOException {
        SSLContext context;
        try {
            context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trust}, null);
        } catch (GeneralSecurityException e) {
            throw new IOException("no TLS: " + e.getMessage(), e);
        }
        String where = "https://" + host + (port == 443 ? "" : ":" + port) + PATH + " [" + address.getHostAddress() + "]";
        try (Socket raw = new Socket()) {
            raw.connect(new InetSocketAddress(address, port), remaining(deadline, where));
            raw.setSoTimeout(remaining(deadline, where));
            try (SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(raw, host, port, true)) {
                SSLParameters parameters = tls.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                parameters.setServerNames(List.of(new SNIHostName(host)));
                parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
                tls.setSSLParameters(parameters);
                try {
                    tls.startHandshake();
                } catch (IOException e) {
                    throw new IOException(where + ": TLS: " + e.getMessage(), e);
                }
                OutputStream out = tls.getOutputStream();
                out.write(("GET " + PATH + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: james-routing\r\nAccept: text/plain\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return read(new BoundedInput(tls.getInputStream(), tls, deadline, where), where);
            }
        }
    }

    private static String read(BoundedInput in, String where) throws IOException {
        String status = in.line(MAX_HEADERS);
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException(where + ": not an HTTP answer");
        }
        if (!parts[1].equals("200")) {
            throw new IOException(where + ": HTTP " + parts[1] + (parts[1].startsWith("3") ? " (redirects are not followed, RFC 8461)" : ""));
        }
        long length = -1;
        boolean chunked = false;
        String contentType = "";
        int headerBytes = 0;
        for (String line = in.line(MAX_HEADERS); !line.isEmpty(); line = in.line(MAX_HEADERS)) {
            headerBytes += line.length();
            if (headerBytes > MAX_HEADERS) {
                throw new IOException(where + ": headers too long");
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> {
                    try {
                        length = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        throw new IOException(where + ": Content-Length '" + value + "'");
                    }
                }
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "content-type" -> contentType = value.toLowerCase(Locale.ROOT);
                default -> {
                }
            }
        }
        if (!contentType.startsWith("text/plain")) {
            throw new IOException(where + ": Content-Type '" + contentType + "', not text/plain");
        }
        if (length > MAX_BODY) {
            throw new IOException(where + ": the policy is " + length + " bytes, more than " + MAX_BODY);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (chunked) {
            while (true) {
                String size = in.line(64);
                int semicolon = size.indexOf(';');
                int chunk;
                try {
                    chunk = Integer.parseInt((semicolon >= 0 ? size.substring(0, semicolon) : size).trim(), 16);
                } catch (NumberFormatException e) {
                    throw new IOException(where + ": bad chunk size '" + size + "'");
                }
                if (chunk == 0) {
                    break;
                }
                copy(in, body, chunk, where);
                in.line(2);
            }
        } else if (length >= 0) {
            copy(in, body, (int) length, where);
        } else {
            copy(in, body, -1, where);
        }
        return body.toString(StandardCharsets.UTF_8);
    }

    /** Copies {@code count} bytes (-1: up to the end), never more than MAX_BODY in all. */
    private static void copy(BoundedInput in, ByteArrayOutputStream body, int count, String where) throws IOException {
        byte[] buffer = new byte[8192];
        int left = count;
        while (left != 0) {
            int read = in.read(buffer, 0, left < 0 ? buffer.length : Math.min(buffer.length, left));
            if (read < 0) {
                if (count < 0) {
                    return;
                }
                throw new IOException(where + ": the answer ended early");
            }
            body.write(buffer, 0, read);
            if (body.size() > MAX_BODY) {
                throw new IOException(where + ": the policy is larger than " + MAX_BODY + " bytes");
            }
            if (left > 0) {
                left -= read;
            }
        }
    }

    private static int remaining(long deadline, String where) throws IOException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new IOException(where + ": no answer in time");
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    /** Reads with the socket timeout set to what is left of the whole exchange's time. */
    private static final class BoundedInput {
        private final InputStream in;
        private final Socket socket;
        private final long deadline;
        private final String where;

        BoundedInput(InputStream in, Socket socket, long deadline, String where) {
            this.in = in;
            this.socket = socket;
            this.deadline = deadline;
            this.where = where;
        }

        int read(byte[] buffer, int offset, int length) throws IOException {
            socket.setSoTimeout(remaining(deadline, where));
            try {
                return in.read(buffer, offset, length);
            } catch (java.net.SocketTimeoutException e) {
                throw new IOException(where + ": no answer in time", e);
            }
        }

        /** A line without its CRLF, at most {@code limit} bytes. */
        String line(int limit) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            byte[] one = new byte[1];
            while (true) {
                if (read(one, 0, 1) < 0) {
                    throw new IOException(where + ": the answer ended early");
                }
                if (one[0] == '\n') {
                    String text = line.toString(StandardCharsets.ISO_8859_1);
                    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
                }
                line.write(one[0]);
                if (line.size() > limit) {
                    throw new IOException(where + ": line too long");
                }
            }
        }
    }
}
