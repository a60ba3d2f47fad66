package org.jamesrouting.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * An HTTPS server in the test JVM (the JDK's own) that serves MTA-STS policies: by the Host the
 * client asks for ({@code mta-sts.<domain>}), a status, a content type and a body; and takes
 * TLS reports POSTed to {@code /tlsrpt} ({@link #posts()}).
 */
public final class TestHttpsServer implements AutoCloseable {
    public record Answer(int status, String contentType, String body, Map<String, String> headers) {
        public static Answer policy(String body) {
            return new Answer(200, "text/plain", body, Map.of());
        }
    }

    private final HttpsServer server;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final java.util.List<Post> posts = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A POST received: its content type and body. */
    public record Post(String contentType, byte[] body) {
    }

    private TestHttpsServer(HttpsServer server) {
        this.server = server;
    }

    public static TestHttpsServer start(SSLContext context) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", TestPorts.free()), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        TestHttpsServer test = new TestHttpsServer(server);
        server.createContext("/.well-known/mta-sts.txt", exchange -> {
            test.requests.incrementAndGet();
            String host = String.valueOf(exchange.getRequestHeaders().getFirst("Host")).replaceAll(":\\d+$", "");
            Answer answer = test.answers.getOrDefault(host, new Answer(404, "text/plain", "not found", Map.of()));
            byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", answer.contentType());
            answer.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/tlsrpt", exchange -> {
            test.posts.add(new Post(String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")),
                exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(201, -1);
            exchange.close();
        });
        server.start();
        return test;
    }

    /** What {@code https://<host>/.well-known/mta-sts.txt} answers. */
    public TestHttpsServer serve(String host, Answer answer) {
        answers.put(host, answer);
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public int requests() {
        return requests.get();
    }

    public java.util.List<Post> posts() {
        return java.util.List.copyOf(posts);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
