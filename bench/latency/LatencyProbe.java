import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * bench/relay.sh's latency probe: how long a relay keeps a message between its 250 to the
 * client and the message's arrival at the next hop. It is both ends (one clock): a sink on
 * SINK_PORT (where the relays under test deliver) that notes when each message arrives, and
 * SESSIONS clients sending COUNT messages of SIZE bytes to RELAY_PORT, one per connection (as
 * smtp-source does), each noting when its 250 came. Prints "p50 p99 max" in milliseconds.
 *
 *   java bench/latency/LatencyProbe.java RELAY_PORT SINK_PORT SESSIONS COUNT SIZE
 */
public final class LatencyProbe {
    private static final Map<Integer, Long> ACKED = new ConcurrentHashMap<>();
    private static final Map<Integer, Long> ARRIVED = new ConcurrentHashMap<>();

    public static void main(String[] args) throws Exception {
        int relayPort = Integer.parseInt(args[0]);
        int sinkPort = Integer.parseInt(args[1]);
        int sessions = Integer.parseInt(args[2]);
        int count = Integer.parseInt(args[3]);
        int size = Integer.parseInt(args[4]);
        ServerSocket sink = new ServerSocket(sinkPort, 200, InetAddress.getByName("127.0.0.1"));
        Thread acceptor = new Thread(() -> {
            while (!sink.isClosed()) {
                try {
                    Socket socket = sink.accept();
                    Thread worker = new Thread(() -> serve(socket));
                    worker.setDaemon(true);
                    worker.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();

        AtomicInteger next = new AtomicInteger();
        List<Thread> clients = new ArrayList<>();
        String filler = "x".repeat(76) + "\r\n";
        for (int s = 0; s < sessions; s++) {
            Thread client = new Thread(() -> {
                int id;
                while ((id = next.getAndIncrement()) < count) {
                    try {
                        send(relayPort, id, filler, size);
                    } catch (IOException e) {
                        System.err.println("LatencyProbe: message " + id + ": " + e.getMessage());
                    }
                }
            });
            client.start();
            clients.add(client);
        }
        for (Thread client : clients) {
            client.join();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (ARRIVED.size() < ACKED.size() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        sink.close();
        long[] latencies = ACKED.entrySet().stream()
            .filter(e -> ARRIVED.containsKey(e.getKey()))
            .mapToLong(e -> Math.max(0, ARRIVED.get(e.getKey()) - e.getValue()))
            .sorted().toArray();
        if (latencies.length < ACKED.size()) {
            System.err.println("LatencyProbe: " + (ACKED.size() - latencies.length) + " acknowledged messages did not arrive in 300 s");
        }
        System.out.printf("%.1f %.1f %.1f%n", at(latencies, 0.50), at(latencies, 0.99), at(latencies, 1.0));
    }

    private static double at(long[] sorted, double p) {
        if (sorted.length == 0) {
            return -1;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

    private static void send(int port, int id, String filler, int size) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setTcpNoDelay(true);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            expect(in, "220");
            command(out, in, "EHLO probe.bench", "250");
            command(out, in, "MAIL FROM:<probe@sender.bench>", "250");
            command(out, in, "RCPT TO:<user@remote.bench>", "250");
            command(out, in, "DATA", "354");
            StringBuilder message = new StringBuilder("X-Probe: " + id + "\r\nSubject: probe " + id + "\r\n\r\n");
            while (message.length() < size) {
                message.append(filler);
            }
            message.append(".\r\n");
            out.write(message.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            expect(in, "250");
            ACKED.put(id, System.nanoTime());
            command(out, in, "QUIT", "221");
        }
    }

    private static void command(OutputStream out, BufferedReader in, String line, String code) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        expect(in, code);
    }

    private static void expect(BufferedReader in, String code) throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new IOException("connection closed, expected " + code);
            }
        } while (line.length() > 3 && line.charAt(3) == '-');
        if (!line.startsWith(code)) {
            throw new IOException("expected " + code + ", got " + line);
        }
    }

    /** The sink: any envelope accepted, each message's arrival noted by its X-Probe header. */
    private static void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            reply(out, "220 sink.bench ESMTP");
            String line;
            while ((line = in.readLine()) != null) {
                String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
                switch (verb) {
                    case "EHLO" -> reply(out, "250-sink.bench\r\n250-PIPELINING\r\n250 8BITMIME");
                    case "DATA" -> {
                        reply(out, "354 go ahead");
                        Integer id = null;
                        while ((line = in.readLine()) != null && !line.equals(".")) {
                            if (id == null && line.startsWith("X-Probe: ")) {
                                id = Integer.valueOf(line.substring(9).trim());
                            }
                        }
                        if (id != null) {
                            ARRIVED.putIfAbsent(id, System.nanoTime());
                        }
                        reply(out, "250 2.0.0 queued");
                    }
                    case "QUIT" -> {
                        reply(out, "221 bye");
                        return;
                    }
                    default -> reply(out, "250 2.0.0 ok");
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }
}
