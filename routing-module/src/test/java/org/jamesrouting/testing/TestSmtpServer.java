package org.jamesrouting.testing;


import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A real SMTP server for tests, on a loopback address: it accepts, refuses, drops or stalls as
 * a test scripts it, speaks STARTTLS and implicit TLS, checks AUTH, and records what it got.
 */
public final class TestSmtpServer implements AutoCloseable {
    public enum Stage { CONNECT, EHLO, MAIL, RCPT, DATA, DATA_END }

    /**
     * A message as received: envelope, content, how the session went, and when it was taken (end
     * of DATA); {@code clientAddress}: where the connection came from, {@code helo}: the name the
     * client gave in EHLO/HELO.
     */
    public record Received(String sender, List<String> recipients, String content, boolean tls, String authenticatedUser,
                           String mailFromLine, java.time.Instant at, String clientAddress, String helo) {
        /** The first field of that name, unfolded (continuation lines joined). */
        public Optional<String> header(String name) {
            int end = content.indexOf("\r\n\r\n");
            String[] lines = (end < 0 ? content : content.substring(0, end)).split("\r\n");
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].toLowerCase(Locale.ROOT).startsWith(name.toLowerCase(Locale.ROOT) + ":")) {
                    StringBuilder value = new StringBuilder(lines[i].substring(name.length() + 1));
                    while (i + 1 < lines.length && (lines[i + 1].startsWith(" ") || lines[i + 1].startsWith("\t"))) {
                        value.append(lines[++i]);
                    }
                    return Optional.of(value.toString().trim());
                }
            }
            return Optional.empty();
        }
    }

    private final ServerSocket serverSocket;
    private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "test-smtp");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<String> commands = new CopyOnWriteArrayList<>();
    /** The commands grouped by the read from the socket they arrived in: what the client wrote at once. */
    private final List<List<String>> arrivals = new CopyOnWriteArrayList<>();
    private final Map<Stage, String> replies = new ConcurrentHashMap<>();
    private final Map<String, String> recipientReplies = new ConcurrentHashMap<>();
    private final Map<Stage, Boolean> drops = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger mostActive = new AtomicInteger();
    private final List<Socket> open = Collections.synchronizedList(new ArrayList<>());
    private volatile SSLContext startTls;
    private volatile boolean implicitTls;
    private volatile SSLContext tlsContext;
    private volatile String authUser;
    private volatile String authPassword;
    private volatile String authMechanisms = "PLAIN LOGIN";
    private volatile boolean pipelining = true;
    private volatile boolean eightBitMime = true;
    private volatile boolean dsn;
    private volatile long stallMillis;
    private volatile java.util.concurrent.CountDownLatch gate;
    private final AtomicInteger atGate = new AtomicInteger();
    private volatile long dripMillis;
    private volatile long sizeLimit = 100_000_000;
    private volatile long greylistMillis = -1;
    private final Map<String, Long> greylistFirstSeen = new ConcurrentHashMap<>();

    private TestSmtpServer(ServerSocket serverSocket) {
        this.serverSocket = serverSocket;
        executor.submit(this::acceptLoop);
    }

    /**
     * Listens on {@code address}, port 0 for any free one. A port a test server just closed can
     * stay busy until the client closes its side of a connection (FIN_WAIT), so binding is
     * retried for up to 15 s.
     */
    public static TestSmtpServer start(String address, int port) throws IOException {
        long deadline = System.currentTimeMillis() + 15_000;
        while (true) {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            try {
                socket.bind(new InetSocketAddress(InetAddress.getByName(address), port));
                return new TestSmtpServer(socket);
            } catch (java.net.BindException e) {
                socket.close();
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** On 127.0.0.1, a port below the ephemeral range ({@link TestPorts}). */
    public static TestSmtpServer start() throws IOException {
        return start("127.0.0.1", TestPorts.free());
    }

    public TestSmtpServer offerStartTls(SSLContext context) {
        this.startTls = context;
        return this;
    }

    public TestSmtpServer implicitTls(SSLContext context) {
        this.implicitTls = true;
        this.tlsContext = context;
        return this;
    }

    public TestSmtpServer requireAuth(String user, String password) {
        this.authUser = user;
        this.authPassword = password;
        return this;
    }

    public TestSmtpServer authMechanisms(String mechanisms) {
        this.authMechanisms = mechanisms;
        return this;
    }

    /** The reply at that stage (e.g. "451 4.3.0 try later"); for RCPT, every recipient. */
    public TestSmtpServer reply(Stage stage, String reply) {
        replies.put(stage, reply);
        return this;
    }

    public TestSmtpServer replyTo(String recipient, String reply) {
        recipientReplies.put(recipient.toLowerCase(Locale.ROOT), reply);
        return this;
    }

    /** Closes the connection without a word when the stage is reached. */
    public TestSmtpServer drop(Stage stage) {
        drops.put(stage, true);
        return this;
    }

    /**
     * Greylisting as postgrey does it: the first RCPT of a (sender, recipient) pair, and every
     * one until {@code minimumWait} has passed since, gets "451 4.7.1 ... Greylisted"; later ones
     * are accepted.
     */
    public TestSmtpServer greylist(java.time.Duration minimumWait) {
        this.greylistMillis = minimumWait.toMillis();
        return this;
    }

    /** Each reply is sent one byte at a time, {@code millis} apart (a tarpit). */
    public TestSmtpServer drip(long millis) {
        this.dripMillis = millis;
        return this;
    }

    /**
     * Keeps every message's final reply (after the data) until {@link #openGate}: a delivery that
     * takes as long as the test wants (at most a minute).
     */
    public TestSmtpServer closeGate() {
        this.gate = new java.util.concurrent.CountDownLatch(1);
        return this;
    }

    /** Answers the messages kept at the gate, and every later one at once. */
    public TestSmtpServer openGate() {
        java.util.concurrent.CountDownLatch closed = gate;
        gate = null;
        if (closed != null) {
            closed.countDown();
        }
        return this;
    }

    /** Messages whose final reply is kept at the gate now. */
    public int atGate() {
        return atGate.get();
    }

    /** Waits that long before answering anything. */
    public TestSmtpServer stall(long millis) {
        this.stallMillis = millis;
        return this;
    }

    /** The SIZE announced in EHLO. */
    public TestSmtpServer sizeLimit(long bytes) {
        this.sizeLimit = bytes;
        return this;
    }

    public TestSmtpServer withoutPipelining() {
        this.pipelining = false;
        return this;
    }

    /** Announces DSN (RFC 3461) in its EHLO reply; the parameters arrive in {@link #commands()}. */
    public TestSmtpServer offerDsn() {
        this.dsn = true;
        return this;
    }

    public TestSmtpServer without8BitMime() {
        this.eightBitMime = false;
        return this;
    }

    /** Back to accepting everything. */
    public TestSmtpServer reset() {
        replies.clear();
        recipientReplies.clear();
        drops.clear();
        stallMillis = 0;
        dripMillis = 0;
        sizeLimit = 100_000_000;
        greylistMillis = -1;
        greylistFirstSeen.clear();
        eightBitMime = true;
        pipelining = true;
        dsn = false;
        return this;
    }

    /** Closes every open client connection (as a server closing idle connections does). */
    public void closeConnections() throws IOException {
        synchronized (open) {
            for (Socket socket : List.copyOf(open)) {
                socket.close();
            }
        }
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    public String address() {
        return serverSocket.getInetAddress().getHostAddress();
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    /**
     * The commands as they arrived: each list holds the commands that came in one read from the
     * socket (a client that pipelines writes MAIL, the RCPTs and DATA at once; one that does not
     * waits for each reply, so each command comes alone).
     */
    public List<List<String>> arrivals() {
        return List.copyOf(arrivals);
    }

    public List<String> commands() {
        return List.copyOf(commands);
    }

    public int connections() {
        return connections.get();
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            try {
                Socket socket = serverSocket.accept();
                connections.incrementAndGet();
                open.add(socket);
                executor.submit(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    /** The most SMTP sessions this server had open at the same time. */
    public int mostConcurrentSessions() {
        return mostActive.get();
    }

    private void serve(Socket socket) {
        mostActive.accumulateAndGet(active.incrementAndGet(), Math::max);
        try {
            serveSession(socket);
        } finally {
            active.decrementAndGet();
        }
    }

    private void serveSession(Socket socket) {
        Session session = new Session();
        try (Socket closing = socket) {
            Socket current = socket;
            if (implicitTls) {
                current = wrap(socket, tlsContext);
                session.tls = true;
            }
            session.bind(current);
            if (dropAt(Stage.CONNECT)) {
                return;
            }
            session.send(replies.getOrDefault(Stage.CONNECT, "220 test.smtp ESMTP ready"));
            if (!replies.getOrDefault(Stage.CONNECT, "220").startsWith("220")) {
                session.readLine();
                session.send("221 bye");
                return;
            }
            while (true) {
                String line = session.readLine();
                if (line == null) {
                    return;
                }
                commands.add(line.startsWith("AUTH PLAIN ") ? "AUTH PLAIN ****" : line);
                session.arrived(line.startsWith("AUTH PLAIN ") ? "AUTH PLAIN ****" : line);
                String verb = (line.contains(" ") ? line.substring(0, line.indexOf(' ')) : line).toUpperCase(Locale.ROOT);
                switch (verb) {
                    case "EHLO" -> {
                        session.helo = line.length() > 5 ? line.substring(5).trim() : "";
                        if (dropAt(Stage.EHLO)) {
                            return;
                        }
                        String scripted = replies.get(Stage.EHLO);
                        if (scripted != null) {
                            session.send(scripted);
                            continue;
                        }
                        List<String> lines = new ArrayList<>(List.of("250-test.smtp hello"));
                        if (pipelining) {
                            lines.add("250-PIPELINING");
                        }
                        if (eightBitMime) {
                            lines.add("250-8BITMIME");
                        }
                        if (dsn) {
                            lines.add("250-DSN");
                        }
                        lines.add("250-SIZE " + sizeLimit);
                        if (startTls != null && !session.tls) {
                            lines.add("250-STARTTLS");
                        }
                        if (authUser != null) {
                            lines.add("250-AUTH " + authMechanisms);
                        }
                        lines.add("250 ENHANCEDSTATUSCODES");
                        session.send(String.join("\r\n", lines));
                    }
                    case "HELO" -> {
                        session.helo = line.length() > 5 ? line.substring(5).trim() : "";
                        session.send("250 test.smtp");
                    }
                    case "STARTTLS" -> {
                        if (startTls == null || session.tls) {
                            session.send("502 5.5.1 not here");
                            continue;
                        }
                        session.send("220 2.0.0 go ahead");
                        session.bind(wrap(session.socket, startTls));
                        session.tls = true;
                    }
                    case "AUTH" -> session.auth(line);
                    case "MAIL" -> {
                        if (dropAt(Stage.MAIL)) {
                            return;
                        }
                        if (authUser != null && session.user == null) {
                            session.send("530 5.7.0 Authentication required");
                            continue;
                        }
                        String scripted = replies.get(Stage.MAIL);
                        if (scripted != null) {
                            session.send(scripted);
                            continue;
                        }
                        session.sender = between(line, '<', '>');
                        session.mailFromLine = line;
                        session.recipients.clear();
                        session.send("250 2.1.0 ok");
                    }
                    case "RCPT" -> {
                        if (dropAt(Stage.RCPT)) {
                            return;
                        }
                        String recipient = between(line, '<', '>');
                        if (session.sender == null) {
                            session.send("503 5.5.1 MAIL first");
                            continue;
                        }
                        String scripted = recipientReplies.getOrDefault(recipient.toLowerCase(Locale.ROOT), replies.get(Stage.RCPT));
                        if (scripted != null) {
                            session.send(scripted);
                            continue;
                        }
                        if (greylistMillis >= 0) {
                            long now = System.currentTimeMillis();
                            long first = greylistFirstSeen.computeIfAbsent(session.sender.toLowerCase(Locale.ROOT) + " " + recipient.toLowerCase(Locale.ROOT),
                                any -> now);
                            if (now - first < greylistMillis) {
                                session.send("451 4.7.1 <" + recipient + ">: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/test.html");
                                continue;
                            }
                        }
                        session.recipients.add(recipient);
                        session.send("250 2.1.5 ok");
                    }
                    case "DATA" -> {
                        if (dropAt(Stage.DATA)) {
                            return;
                        }
                        if (session.recipients.isEmpty()) {
                            session.send("503 5.5.1 no valid recipients");
                            continue;
                        }
                        String scripted = replies.get(Stage.DATA);
                        if (scripted != null) {
                            session.send(scripted);
                            continue;
                        }
                        session.send("354 go ahead");
                        String content = session.readData();
                        if (content == null || dropAt(Stage.DATA_END)) {
                            return;
                        }
                        waitAtGate();
                        String end = replies.get(Stage.DATA_END);
                        if (end != null) {
                            session.send(end);
                        } else {
                            received.add(new Received(session.sender, List.copyOf(session.recipients), content, session.tls, session.user,
                                session.mailFromLine, java.time.Instant.now(), session.socket.getInetAddress().getHostAddress(),
                                session.helo));
                            session.send("250 2.0.0 queued as " + received.size());
                        }
                        session.sender = null;
                        session.recipients.clear();
                    }
                    case "RSET" -> {
                        session.sender = null;
                        session.recipients.clear();
                        session.send("250 2.0.0 ok");
                    }
                    case "NOOP" -> session.send("250 2.0.0 ok");
                    case "QUIT" -> {
                        session.send("221 2.0.0 bye");
                        return;
                    }
                    default -> session.send("500 5.5.2 unknown command");
                }
            }
        } catch (IOException e) {
            // the client went away
        } finally {
            open.remove(socket);
        }
    }

    private boolean dropAt(Stage stage) {
        return drops.getOrDefault(stage, false);
    }

    private static Socket wrap(Socket socket, SSLContext context) throws IOException {
        SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(socket, null, socket.getPort(), true);
        ssl.setUseClientMode(false);
        ssl.startHandshake();
        return ssl;
    }

    private static String between(String line, char open, char close) {
        int start = line.indexOf(open);
        int end = line.indexOf(close, start + 1);
        return start < 0 || end < 0 ? "" : line.substring(start + 1, end);
    }

    private void waitAtGate() {
        java.util.concurrent.CountDownLatch closed = gate;
        if (closed == null) {
            return;
        }
        atGate.incrementAndGet();
        try {
            closed.await(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            atGate.decrementAndGet();
        }
    }

    private final class Session {
        Socket socket;
        InputStream in;
        OutputStream out;
        boolean tls;
        String user;
        String sender;
        String mailFromLine;
        String helo = "";
        final List<String> recipients = new ArrayList<>();

        /** Socket reads so far, and the one the current command's bytes came from. */
        int reads;
        int readOfLastArrival = -1;
        List<String> currentArrival;

        void bind(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new java.io.BufferedInputStream(new java.io.FilterInputStream(socket.getInputStream()) {
                @Override
                public int read(byte[] buffer, int offset, int length) throws IOException {
                    int read = super.read(buffer, offset, length);
                    if (read > 0) {
                        reads++;
                    }
                    return read;
                }
            }, 64 * 1024);
            this.out = socket.getOutputStream();
        }

        /** Files the command with those that came in the same read (a command split over reads counts where it ended). */
        void arrived(String command) {
            if (currentArrival == null || readOfLastArrival != reads) {
                currentArrival = new CopyOnWriteArrayList<>();
                arrivals.add(currentArrival);
                readOfLastArrival = reads;
            }
            currentArrival.add(command);
        }

        void send(String reply) throws IOException {
            if (stallMillis > 0) {
                try {
                    Thread.sleep(stallMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] bytes = (reply + "\r\n").getBytes(StandardCharsets.UTF_8);
            if (dripMillis > 0) {
                for (byte b : bytes) {
                    out.write(b);
                    out.flush();
                    try {
                        Thread.sleep(dripMillis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                return;
            }
            out.write(bytes);
            out.flush();
        }

        String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true) {
                int b;
                try {
                    b = in.read();
                } catch (SocketException e) {
                    return null;
                }
                if (b < 0) {
                    return null;
                }
                if (b == '\n') {
                    String text = line.toString(StandardCharsets.UTF_8);
                    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
                }
                line.write(b);
            }
        }

        String readData() throws IOException {
            StringBuilder content = new StringBuilder();
            while (true) {
                String line = readLine();
                if (line == null) {
                    return null;
                }
                if (line.equals(".")) {
                    return content.toString();
                }
                content.append(line.startsWith(".") ? line.substring(1) : line).append("\r\n");
            }
        }

        void auth(String line) throws IOException {
            if (authUser == null) {
                send("503 5.5.1 AUTH not offered");
                return;
            }
            String[] parts = line.split(" ");
            String user;
            String password;
            if (parts.length >= 2 && parts[1].equalsIgnoreCase("PLAIN")) {
                String token = parts.length >= 3 ? parts[2] : null;
                if (token == null) {
                    send("334 ");
                    token = readLine();
                }
                String[] fields = new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8).split("\0", -1);
                user = fields.length == 3 ? fields[1] : "";
                password = fields.length == 3 ? fields[2] : "";
            } else if (parts.length >= 2 && parts[1].equalsIgnoreCase("LOGIN")) {
                send("334 VXNlcm5hbWU6");
                user = new String(Base64.getDecoder().decode(readLine()), StandardCharsets.UTF_8);
                send("334 UGFzc3dvcmQ6");
                password = new String(Base64.getDecoder().decode(readLine()), StandardCharsets.UTF_8);
            } else {
                send("504 5.5.4 mechanism not supported");
                return;
            }
            if (authUser.equals(user) && authPassword.equals(password)) {
                this.user = user;
                send("235 2.7.0 Authentication successful");
            } else {
                send("535 5.7.8 Authentication credentials invalid");
            }
        }
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
        synchronized (open) {
            for (Socket socket : open) {
                socket.close();
            }
        }
        executor.shutdownNow();
    }

}
