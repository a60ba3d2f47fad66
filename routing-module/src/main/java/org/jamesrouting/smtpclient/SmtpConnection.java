package org.jamesrouting.smtpclient;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

import org.jamesrouting.route.RelayAuth;
import org.jamesrouting.route.TlsMode;

import com.google.common.collect.ImmutableList;
import com.google.common.net.InetAddresses;

/**
 * One SMTP client connection (RFC 5321) to one server address: greeting, EHLO (HELO when EHLO
 * is refused), STARTTLS or implicit TLS as the {@link TlsMode} says, AUTH PLAIN or LOGIN, then
 * transactions with a reply per recipient ({@link #send}), PIPELINING when offered.
 * Blocking; one thread uses it at a time.
 */
public final class SmtpConnection implements Closeable {
    /**
     * Writes the message (headers and body) as it should travel; line endings are fixed here.
     * {@code eightBitAllowed} is false when the server lacks 8BITMIME: write a 7-bit form then.
     */
    @FunctionalInterface
    public interface MessageWriter {
        void writeTo(OutputStream out, boolean eightBitAllowed) throws IOException;
    }

    /** What one transaction got: the MAIL reply, a reply per recipient, and the DATA reply. */
    public record Transaction(SmtpReply mailReply, Map<String, SmtpReply> recipientReplies, Optional<SmtpReply> dataReply) {
        /** The final reply for one recipient: its RCPT reply if refused, else the DATA reply. */
        public SmtpReply outcomeFor(String recipient) {
            if (!mailReply.isPositive()) {
                return mailReply;
            }
            SmtpReply rcpt = recipientReplies.get(recipient);
            if (rcpt == null || !rcpt.isPositive()) {
                return rcpt;
            }
            return dataReply.orElse(rcpt);
        }
    }

    private final Socket socket;
    private final String serverName;
    private final SmtpClientSettings settings;
    private InputStream in;
    /** Replies read on this connection so far. */
    private int repliesRead;
    private OutputStream out;
    private Map<String, String> extensions = Map.of();
    private Optional<TlsSession> tlsSession = Optional.empty();
    private String greeting;

    private SmtpConnection(Socket socket, String serverName, SmtpClientSettings settings) throws IOException {
        this.socket = socket;
        this.serverName = serverName;
        this.settings = settings;
        bindStreams(socket);
    }

    /**
     * Connects, reads the greeting, says EHLO and sets TLS up as {@code tls} says; the
     * certificate must carry {@code serverName}.
     */
    public static SmtpConnection open(InetSocketAddress address, String serverName, TlsMode tls, SmtpClientSettings settings) throws SmtpFailure {
        return open(address, serverName, tls, List.of(serverName), settings);
    }

    /**
     * Connects, reads the greeting, says EHLO and sets TLS up as {@code tls} says.
     *
     * @param serverName the host connected to (the MX or relay host name, or the IP), sent as SNI
     * @param certificateNames names of which the server's certificate must carry one to count as verified
     * @throws SmtpFailure what failed, and whether it is permanent
     */
    public static SmtpConnection open(InetSocketAddress address, String serverName, TlsMode tls, List<String> certificateNames,
                                      SmtpClientSettings settings) throws SmtpFailure {
        return open(address, serverName, tls, certificateNames, List.of(), settings);
    }

    /**
     * @param dane DNSSEC-validated TLSA records of the host (RFC 7672): when given, the
     *     certificate is verified by them, and {@code certificateNames} are the reference names of a DANE-TA match
     */
    public static SmtpConnection open(InetSocketAddress address, String serverName, TlsMode tls, List<String> certificateNames,
                                      List<org.jamesrouting.dns.TlsaLookup.Tlsa> dane, SmtpClientSettings settings) throws SmtpFailure {
        Socket socket = new Socket();
        SmtpConnection connection = null;
        try {
            socket.setSoTimeout((int) settings.commandTimeout().toMillis());
            if (settings.identity().bind().isPresent()) {
                socket.bind(new InetSocketAddress(settings.identity().bind().get(), 0));
            }
            socket.connect(address, (int) settings.connectTimeout().toMillis());
            Optional<TlsSession> implicitSession = Optional.empty();
            if (tls.implicit()) {
                CertificateCheck check = check(tls, certificateNames, dane, settings);
                SSLSocket secured = startTls(socket, serverName, check);
                socket = secured;
                implicitSession = Optional.of(session(secured, check));
            }
            connection = new SmtpConnection(socket, serverName, settings);
            connection.tlsSession = implicitSession;
            connection.handshake(tls, certificateNames, dane);
            return connection;
        } catch (SmtpFailure e) {
            closeQuietly(connection, socket);
            throw e;
        } catch (SSLException e) {
            closeQuietly(connection, socket);
            throw new SmtpFailure(SmtpFailure.Kind.TLS, "TLS with " + describe(address, serverName) + " failed: " + tlsReason(e), null, e);
        } catch (IOException e) {
            closeQuietly(connection, socket);
            throw new SmtpFailure(SmtpFailure.Kind.CONNECTION, "Cannot talk to " + describe(address, serverName) + ": " + e, null, e);
        }
    }

    /** The handshake's reason, our certificate check's own words when it refused the certificate. */
    private static String tlsReason(SSLException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.security.cert.CertificateException && cause.getMessage() != null) {
                return cause.getMessage();
            }
        }
        return e.getMessage();
    }

    private static CertificateCheck check(TlsMode tls, List<String> certificateNames, List<org.jamesrouting.dns.TlsaLookup.Tlsa> dane,
                                          SmtpClientSettings settings) {
        return new CertificateCheck(settings.trust(), certificateNames, settings.verifyServerIdentity(), tls.verifies(), dane);
    }

    private static TlsSession session(SSLSocket socket, CertificateCheck check) {
        return new TlsSession(socket.getSession().getProtocol(), check.problem().isEmpty(), check.problem(), check.dane());
    }

    private static String describe(InetSocketAddress address, String serverName) {
        return serverName + " [" + address.getAddress().getHostAddress() + "]:" + address.getPort();
    }

    private void handshake(TlsMode tls, List<String> certificateNames, List<org.jamesrouting.dns.TlsaLookup.Tlsa> dane) throws IOException {
        SmtpReply reply = read();
        if (reply.code() != 220) {
            throw SmtpFailure.reply("greeting", reply);
        }
        greeting = reply.text();
        checkNotOurselves("greets as", greeting);
        ehlo();
        if (tls.implicit() || tls.level() == TlsMode.Level.NONE) {
            return;
        }
        if (!extensions.containsKey("STARTTLS")) {
            if (tls.mandatory()) {
                throw new SmtpFailure(SmtpFailure.Kind.TLS, serverName + " offered no STARTTLS, which tls=" + tls.asString()
                    + " requires", null, null);
            }
            return;
        }
        SmtpReply starttls = command("STARTTLS");
        if (starttls.code() != 220) {
            if (tls.mandatory() || starttls.isTransient()) {
                throw new SmtpFailure(SmtpFailure.Kind.TLS, serverName + " refused STARTTLS: " + starttls, starttls, null);
            }
            return;
        }
        CertificateCheck check = check(tls, certificateNames, dane, settings);
        SSLSocket secured = startTls(socket, serverName, check);
        bindStreams(secured);
        tlsSession = Optional.of(session(secured, check));
        ehlo();
    }

    /** TLS 1.2 and 1.3 only. */
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private static SSLSocket startTls(Socket plain, String serverName, CertificateCheck check) throws IOException {
        SSLContext context;
        try {
            context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {check}, null);
        } catch (java.security.GeneralSecurityException e) {
            throw new SSLException("cannot set TLS up: " + e.getMessage(), e);
        }
        SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(plain, serverName, plain.getPort(), true);
        SSLParameters parameters = ssl.getSSLParameters();
        parameters.setProtocols(java.util.Arrays.stream(PROTOCOLS)
            .filter(java.util.Arrays.asList(ssl.getSupportedProtocols())::contains)
            .toArray(String[]::new));
        if (!InetAddresses.isInetAddress(serverName)) {
            parameters.setServerNames(List.of(new SNIHostName(serverName)));
        }
        ssl.setSSLParameters(parameters);
        ssl.setUseClientMode(true);
        ssl.startHandshake();
        return ssl;
    }

    private void bindStreams(Socket socket) throws IOException {
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    }

    private void ehlo() throws IOException {
        SmtpReply reply = command("EHLO " + settings.ehloName());
        if (reply.code() == 250) {
            checkNotOurselves("answers EHLO as", reply.text());
            extensions = parseExtensions(reply);
            return;
        }
        if (reply.code() >= 500 && reply.code() != 554) {
            SmtpReply helo = command("HELO " + settings.ehloName());
            if (helo.code() == 250) {
                extensions = Map.of();
                return;
            }
            throw SmtpFailure.reply("HELO", helo);
        }
        throw SmtpFailure.reply("EHLO", reply);
    }

    /** The first word of a greeting or EHLO reply is the server's name; ours means a loop. */
    private void checkNotOurselves(String how, String replyText) throws SmtpFailure {
        String firstLine = replyText.lines().findFirst().orElse("").trim();
        String name = firstLine.isEmpty() ? "" : firstLine.split("\\s+")[0];
        if (name.equalsIgnoreCase(settings.heloName())) {
            throw new SmtpFailure(SmtpFailure.Kind.LOOP, serverName + ":" + socket.getPort() + " " + how + " " + name
                + ", our own name", null, null);
        }
    }

    private static Map<String, String> parseExtensions(SmtpReply reply) {
        Map<String, String> result = new HashMap<>();
        String[] lines = reply.text().split("\n");
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].trim();
            int space = line.indexOf(' ');
            String keyword = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
            result.put(keyword, space < 0 ? "" : line.substring(space + 1).trim());
        }
        return Map.copyOf(result);
    }

    /** The SIZE limit the server announced (RFC 1870), when it gave one. */
    public OptionalLong sizeLimit() {
        String value = extensions.get("SIZE");
        if (value == null || value.isBlank()) {
            return OptionalLong.empty();
        }
        try {
            long limit = Long.parseLong(value.trim());
            return limit > 0 ? OptionalLong.of(limit) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    public boolean supports(String extension) {
        return extensions.containsKey(extension.toUpperCase(Locale.ROOT));
    }

    /** How many replies the server has sent on this connection so far. */
    public int repliesRead() {
        return repliesRead;
    }

    public boolean isTlsActive() {
        return tlsSession.isPresent();
    }

    /** The TLS of this connection, empty when it is plain. */
    public Optional<TlsSession> tlsSession() {
        return tlsSession;
    }

    public String greeting() {
        return greeting;
    }

    /**
     * Whether credentials may be sent on this connection at level {@code tls}: only inside TLS,
     * and only when the certificate was verified, unless the level is {@code encrypt} (the
     * operator accepted an unverified certificate for this hop, as Postfix's encrypt level does).
     *
     * @return empty when they may; else why not, in words for the operator
     */
    public Optional<String> whyNoCredentials(TlsMode tls) {
        String where = serverName + ":" + socket.getPort();
        if (tlsSession.isEmpty()) {
            return Optional.of(where + (supports("STARTTLS") ? " was not asked for STARTTLS" : " offered no STARTTLS")
                + "; credentials are only sent over TLS");
        }
        TlsSession session = tlsSession.get();
        if (!session.verified() && tls.level() != TlsMode.Level.ENCRYPT) {
            return Optional.of(where + ": " + session.problem().orElse("certificate not verified")
                + "; credentials are only sent over verified TLS (tls=encrypt accepts an unverified certificate for this hop)");
        }
        return Optional.empty();
    }

    /**
     * AUTH PLAIN when offered, else AUTH LOGIN; never outside TLS, and never over unverified TLS
     * unless the level is {@code encrypt} ({@link #whyNoCredentials}).
     *
     * @throws SmtpFailure of kind TLS when the connection is not safe for credentials (4.7.x,
     *     nothing sent), of kind AUTH (never permanent): AUTH not offered, or the credentials refused
     */
    public void authenticate(RelayAuth auth, TlsMode tls) throws IOException {
        Optional<String> refusal = whyNoCredentials(tls);
        if (refusal.isPresent()) {
            throw new SmtpFailure(SmtpFailure.Kind.CREDENTIALS, refusal.get(), null, null);
        }
        String mechanisms = extensions.getOrDefault("AUTH", "").toUpperCase(Locale.ROOT);
        List<String> offered = List.of(mechanisms.split("\\s+"));
        SmtpReply reply;
        if (offered.contains("PLAIN")) {
            String token = Base64.getEncoder().encodeToString(("\0" + auth.username() + "\0" + auth.password()).getBytes(StandardCharsets.UTF_8));
            reply = command("AUTH PLAIN " + token, "AUTH PLAIN ****");
        } else if (offered.contains("LOGIN")) {
            reply = command("AUTH LOGIN");
            if (reply.code() == 334) {
                reply = command(base64(auth.username()));
                if (reply.code() == 334) {
                    reply = command(base64(auth.password()), "****");
                }
            }
        } else {
            throw new SmtpFailure(SmtpFailure.Kind.AUTH, serverName + " offers no AUTH mechanism we speak (PLAIN, LOGIN)"
                + (mechanisms.isEmpty() ? "; AUTH is not offered" + (isTlsActive() ? "" : " (maybe only after STARTTLS)") : ": " + mechanisms), null, null);
        }
        if (reply.code() != 235) {
            throw new SmtpFailure(SmtpFailure.Kind.AUTH, serverName + " refused AUTH for " + auth.username() + ": " + reply, reply, null);
        }
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * One mail transaction. Refused recipients and a refused MAIL are in the result, not thrown;
     * the connection stays usable for another transaction unless an exception is thrown.
     *
     * @param sender the envelope sender, "" for the null sender
     * @throws SmtpFailure when the connection fails midway (the outcome is then unknown: retry)
     */
    public Transaction send(String sender, List<String> recipients, OptionalLong size, MessageWriter message) throws IOException {
        return send(sender, recipients, size, DsnRequest.NONE, message);
    }

    /**
     * One mail transaction carrying the sender's DSN request ({@code RET}, {@code ENVID},
     * {@code NOTIFY}, {@code ORCPT}) when the server announces {@code DSN} (RFC 3461 §4).
     */
    public Transaction send(String sender, List<String> recipients, OptionalLong size, DsnRequest dsn, MessageWriter message) throws IOException {
        OptionalLong limit = sizeLimit();
        if (size.isPresent() && limit.isPresent() && size.getAsLong() > limit.getAsLong()) {
            // RFC 1870: do not send what the server said it will not take.
            SmtpReply tooBig = new SmtpReply(552, "5.3.4 Message size " + size.getAsLong() + " exceeds the limit of "
                + limit.getAsLong() + " announced by " + serverName);
            Map<String, SmtpReply> refused = new java.util.LinkedHashMap<>();
            recipients.forEach(recipient -> refused.put(recipient, tooBig));
            return new Transaction(tooBig, refused, Optional.empty());
        }
        StringBuilder mailFrom = new StringBuilder("MAIL FROM:<").append(sender).append('>');
        if (supports("SIZE") && size.isPresent()) {
            mailFrom.append(" SIZE=").append(size.getAsLong());
        }
        if (supports("8BITMIME")) {
            mailFrom.append(" BODY=8BITMIME");
        }
        // RFC 3461 §4: the sender's request only to a server that announces DSN
        DsnRequest passedOn = supports("DSN") ? dsn : DsnRequest.NONE;
        mailFrom.append(passedOn.mailParameters());
        SmtpReply mailReply;
        Map<String, SmtpReply> rcptReplies = new java.util.LinkedHashMap<>();
        if (supports("PIPELINING")) {
            // RFC 2920: MAIL, every RCPT and DATA in one write, the replies read after it (one round trip)
            write(mailFrom.toString());
            for (String recipient : recipients) {
                write(rcptTo(recipient, passedOn));
            }
            write("DATA");
            out.flush();
            mailReply = read();
            for (String recipient : recipients) {
                rcptReplies.put(recipient, read());
            }
            SmtpReply dataStart = read();
            boolean accepted = mailReply.isPositive() && rcptReplies.values().stream().anyMatch(SmtpReply::isPositive);
            if (dataStart.code() == 354 && !accepted) {
                // a server that opens DATA with no recipient (RFC 2920 says it must not): end it empty
                write(".");
                out.flush();
                read();
            }
            if (!accepted) {
                command("RSET");
                return new Transaction(mailReply, rcptReplies, Optional.empty());
            }
            if (dataStart.code() != 354) {
                return new Transaction(mailReply, rcptReplies, Optional.of(dataStart));
            }
            return sendContent(mailReply, rcptReplies, message);
        } else {
            mailReply = command(mailFrom.toString());
            if (mailReply.isPositive()) {
                for (String recipient : recipients) {
                    rcptReplies.put(recipient, command(rcptTo(recipient, passedOn)));
                }
            }
        }
        if (!mailReply.isPositive() || rcptReplies.values().stream().noneMatch(SmtpReply::isPositive)) {
            command("RSET");
            return new Transaction(mailReply, rcptReplies, Optional.empty());
        }
        SmtpReply dataStart = command("DATA");
        if (dataStart.code() != 354) {
            return new Transaction(mailReply, rcptReplies, Optional.of(dataStart));
        }
        return sendContent(mailReply, rcptReplies, message);
    }

    private static String rcptTo(String recipient, DsnRequest dsn) {
        return "RCPT TO:<" + recipient + ">" + dsn.rcptParameters(recipient);
    }

    /** After 354: the message, dot-stuffed, and the server's reply within {@code dataTimeout}. */
    private Transaction sendContent(SmtpReply mailReply, Map<String, SmtpReply> rcptReplies, MessageWriter message) throws IOException {
        int commandTimeout = socket.getSoTimeout();
        socket.setSoTimeout((int) settings.dataTimeout().toMillis());
        try {
            DotStuffingOutputStream data = new DotStuffingOutputStream(out);
            message.writeTo(data, supports("8BITMIME"));
            data.finish();
            return new Transaction(mailReply, rcptReplies, Optional.of(read()));
        } finally {
            socket.setSoTimeout(commandTimeout);
        }
    }

    public SmtpReply command(String line) throws IOException {
        return command(line, line);
    }

    /** Sends a command; {@code logged} is what may appear in an error (passwords masked). */
    private SmtpReply command(String line, String logged) throws IOException {
        try {
            write(line);
            out.flush();
            return read();
        } catch (SocketTimeoutException e) {
            throw new SmtpFailure(SmtpFailure.Kind.CONNECTION, serverName + " did not answer " + logged + " in time", null, e);
        }
    }

    private void write(String line) throws IOException {
        out.write(line.getBytes(StandardCharsets.UTF_8));
        out.write('\r');
        out.write('\n');
    }

    /**
     * One reply, within {@code commandTimeout} for the whole of it (the DATA reply: within
     * {@code dataTimeout}): a server that sends a byte now and then (a tarpit) cannot hold a
     * thread for longer, as the socket's read timeout alone would let it.
     */
    private SmtpReply read() throws IOException {
        long limit = socket.getSoTimeout() > settings.commandTimeout().toMillis() ? settings.dataTimeout().toMillis()
            : settings.commandTimeout().toMillis();
        long deadline = System.nanoTime() + limit * 1_000_000L;
        StringBuilder text = new StringBuilder();
        int code = -1;
        while (true) {
            String line = readLine(deadline, limit);
            if (line.length() < 3 || !Character.isDigit(line.charAt(0)) || !Character.isDigit(line.charAt(1)) || !Character.isDigit(line.charAt(2))
                || (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-')) {
                throw new SmtpFailure(SmtpFailure.Kind.PROTOCOL, serverName + " answered something that is not SMTP: '" + truncate(line) + "'", null, null);
            }
            int lineCode = Integer.parseInt(line.substring(0, 3));
            if (code >= 0 && lineCode != code) {
                throw new SmtpFailure(SmtpFailure.Kind.PROTOCOL, serverName + " mixed reply codes " + code + " and " + lineCode, null, null);
            }
            code = lineCode;
            if (text.length() > 0) {
                text.append('\n');
            }
            text.append(line.length() > 4 ? line.substring(4) : "");
            if (line.length() == 3 || line.charAt(3) == ' ') {
                repliesRead++;
                return new SmtpReply(code, text.toString());
            }
            if (text.length() > 64 * 1024) {
                throw new SmtpFailure(SmtpFailure.Kind.PROTOCOL, serverName + " sent a reply longer than 64 KB", null, null);
            }
        }
    }

    private String readLine(long deadline, long limitMillis) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (System.nanoTime() - deadline > 0) {
                throw new SmtpFailure(SmtpFailure.Kind.CONNECTION, serverName + " did not finish its reply within " + limitMillis
                    + " ms (it sends too slowly)", null, null);
            }
            if (b < 0) {
                throw new SmtpFailure(SmtpFailure.Kind.CONNECTION, serverName + " closed the connection", null, null);
            }
            if (b == '\n') {
                int length = line.length();
                if (length > 0 && line.charAt(length - 1) == '\r') {
                    line.setLength(length - 1);
                }
                return line.toString();
            }
            if (line.length() > 4096) {
                throw new SmtpFailure(SmtpFailure.Kind.PROTOCOL, serverName + " sent a reply line longer than 4096 bytes", null, null);
            }
            line.append((char) b);
        }
    }

    private static String truncate(String line) {
        return line.length() > 80 ? line.substring(0, 80) + "..." : line;
    }

    public List<String> extensionNames() {
        return ImmutableList.sortedCopyOf(extensions.keySet());
    }

    /** QUIT, then close; never throws. */
    @Override
    public void close() {
        try {
            write("QUIT");
            out.flush();
            socket.setSoTimeout(2000);
            read();
        } catch (IOException | RuntimeException e) {
            // closing anyway
        }
        closeQuietly(null, socket);
    }

    private static void closeQuietly(SmtpConnection connection, Socket socket) {
        try {
            if (connection != null) {
                connection.socket.close();
            }
            socket.close();
        } catch (IOException e) {
            // nothing more to do
        }
    }

}
