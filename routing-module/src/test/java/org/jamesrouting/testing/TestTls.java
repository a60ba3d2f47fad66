package org.jamesrouting.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for test servers, made with the JDK's keytool, valid for
 * {@code localhost}, {@code mx1.dest.test}-style names given, and 127.0.0.1 to 127.0.0.99.
 * {@link #serverContext()} serves it; {@link #trustingClientContext()} trusts it; the JVM's
 * default context does not.
 */
public final class TestTls {
    public static final String PASSWORD = "changeit";

    private final Path keystore;

    private TestTls(Path keystore) {
        this.keystore = keystore;
    }

    public static TestTls create(Path directory, String... dnsNames) throws IOException, InterruptedException {
        Path keystore = directory.resolve("test-tls.p12");
        StringBuilder san = new StringBuilder("SAN=dns:localhost");
        for (String name : dnsNames) {
            san.append(",dns:").append(name);
        }
        for (int i = 1; i < 100; i++) {
            san.append(",ip:127.0.0.").append(i);
        }
        Process keytool = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "keytool").toString(),
            "-genkeypair", "-alias", "test", "-keyalg", "RSA", "-keysize", "2048", "-validity", "3650",
            "-dname", "CN=localhost", "-ext", san.toString(), "-storetype", "PKCS12",
            "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
            .redirectErrorStream(true)
            .start();
        String output = new String(keytool.getInputStream().readAllBytes());
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IOException("keytool failed: " + output);
        }
        return new TestTls(keystore);
    }

    public Path keystore() {
        return keystore;
    }

    private KeyStore load() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, PASSWORD.toCharArray());
        }
        return store;
    }

    public SSLContext serverContext() throws Exception {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(load(), PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    /** Trusts this certificate only. */
    public javax.net.ssl.X509TrustManager trustManager() throws Exception {
        return org.jamesrouting.smtpclient.SmtpClientSettings.trusting(load());
    }

    public SSLContext trustingClientContext() throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(load());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
