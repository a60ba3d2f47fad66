package org.jamesrouting.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A test certificate authority and one server certificate it signed for the given DNS names,
 * made with openssl: PEM files for servers that take them (Postfix), and a PKCS12 trust store
 * with the CA for our client ({@code <truststore>}, password {@link #PASSWORD}).
 */
public record TestPki(Path caCertificate, Path serverKey, Path serverChain, Path trustStore) {
    public static final String PASSWORD = "changeit";

    public static TestPki create(Path directory, String... dnsNames) throws Exception {
        Path dir = Files.createDirectories(directory);
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "3650",
            "-subj", "/CN=james-routing test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=" + dnsNames[0]);
        Files.writeString(dir.resolve("server.ext"), String.join("\n",
            "subjectAltName=" + List.of(dnsNames).stream().map(name -> "DNS:" + name).collect(Collectors.joining(",")),
            "extendedKeyUsage=serverAuth", "keyUsage=critical,digitalSignature,keyEncipherment", "basicConstraints=critical,CA:FALSE") + "\n");
        openssl(dir, "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "825",
            "-extfile", "server.ext", "-out", "server.crt");
        Files.writeString(dir.resolve("server-chain.crt"), Files.readString(dir.resolve("server.crt")) + Files.readString(dir.resolve("ca.crt")));
        run(dir, Paths.get(System.getProperty("java.home"), "bin", "keytool").toString(), "-importcert", "-noprompt", "-alias", "testca",
            "-file", "ca.crt", "-keystore", "truststore.p12", "-storetype", "PKCS12", "-storepass", PASSWORD);
        return new TestPki(dir.resolve("ca.crt"), dir.resolve("server.key"), dir.resolve("server-chain.crt"), dir.resolve("truststore.p12"));
    }

    private static void openssl(Path dir, String... arguments) throws Exception {
        String[] command = new String[arguments.length + 1];
        command[0] = "openssl";
        System.arraycopy(arguments, 0, command, 1, arguments.length);
        run(dir, command);
    }

    private static void run(Path dir, String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }
}
