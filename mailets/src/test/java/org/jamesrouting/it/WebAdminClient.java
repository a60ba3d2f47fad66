package org.jamesrouting.it;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** James webadmin over real HTTP. */
public final class WebAdminClient {
    public record Response(int status, String body) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final int port;

    public WebAdminClient(int port) {
        this.port = port;
    }

    public Response request(String method, String path, String jsonBody) throws IOException, InterruptedException {
        return request(method, path, jsonBody, null);
    }

    /** With a JWT as "Authorization: Bearer", when {@code token} is not null. */
    public Response request(String method, String path, String jsonBody, String token) throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        if (jsonBody != null) {
            builder.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(jsonBody));
        } else {
            builder.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response = HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.body());
    }

    /** A request as a web page could make it: the given headers only (no JSON content type unless given). */
    public Response raw(String method, String path, java.util.Map<String, String> headers) throws IOException, InterruptedException {
        StringBuilder request = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        request.append("Content-Length: 0\r\nConnection: close\r\n\r\n");
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            int status = Integer.parseInt(answer.substring(9, 12));
            int bodyStart = answer.indexOf("\r\n\r\n");
            return new Response(status, bodyStart < 0 ? "" : answer.substring(bodyStart + 4));
        }
    }

    public Response get(String path) throws IOException, InterruptedException {
        return request("GET", path, null);
    }

    public void addDomain(String domain) throws IOException, InterruptedException {
        expect(request("PUT", "/domains/" + domain, null), 204);
    }

    public void addDomainAlias(String domain, String alias) throws IOException, InterruptedException {
        expect(request("PUT", "/domains/" + domain + "/aliases/" + alias, null), 204);
    }

    public void addUser(String address, String password) throws IOException, InterruptedException {
        expect(request("PUT", "/users/" + address, "{\"password\":\"" + password + "\"}"), 204);
    }

    public void addAddressAlias(String user, String alias) throws IOException, InterruptedException {
        expect(request("PUT", "/address/aliases/" + user + "/sources/" + alias, null), 204);
    }

    /** The keys of the mails in a repository, as webadmin lists them (JSON array). */
    public Response repositoryMails(String repositoryPath) throws IOException, InterruptedException {
        return get("/mailRepositories/" + URLEncoder.encode(repositoryPath, StandardCharsets.UTF_8) + "/mails");
    }

    private static void expect(Response response, int status) {
        if (response.status() != status) {
            throw new IllegalStateException("webadmin answered " + response.status() + ": " + response.body());
        }
    }
}
