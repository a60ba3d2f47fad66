package org.jamesrouting.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of its own for a test: Debian's PostgreSQL binaries (installed by
 * {@code bin/james-routing test}), a fresh cluster in a temporary directory, listening on
 * 127.0.0.1 and the given port only, password authentication over TCP for the one account,
 * one database. Runs as the {@code postgres} system user when the tests run as root
 * (PostgreSQL refuses root). Stopped and removed by {@link #close()}.
 */
public final class PostgresServer implements AutoCloseable {
    public static final String USER = "james";
    public static final String DATABASE = "james";

    private final Path directory;
    private final Path bin;
    private final int port;
    private final String password;

    private PostgresServer(Path directory, Path bin, int port, String password) {
        this.directory = directory;
        this.bin = bin;
        this.port = port;
        this.password = password;
    }

    /** The newest /usr/lib/postgresql/N/bin with initdb, if PostgreSQL is installed. */
    public static Path binaries() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("PostgreSQL is not installed (bin/james-routing test installs the Debian package postgresql)");
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(version -> version.resolve("bin"))
                .filter(bin -> Files.isExecutable(bin.resolve("initdb")))
                .max(Comparator.comparing(bin -> Integer.parseInt(bin.getParent().getFileName().toString().replaceAll("\\D", "0"))))
                .orElseThrow(() -> new IllegalStateException("no initdb under " + root));
        }
    }

    public static PostgresServer start(int port, String password) throws Exception {
        Path bin = binaries();
        Path directory = Files.createTempDirectory("james-routing-pg");
        Path passwordFile = directory.resolve("password");
        Files.writeString(passwordFile, password + "\n", StandardCharsets.UTF_8);
        if (runningAsRoot()) {
            UserPrincipal postgres = directory.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            Files.setOwner(directory, postgres);
            Files.setOwner(passwordFile, postgres);
        }
        PostgresServer server = new PostgresServer(directory, bin, port, password);
        server.run("initdb", "-D", directory.resolve("data").toString(), "-U", USER, "--pwfile=" + passwordFile,
            "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--no-sync");
        server.run("pg_ctl", "-D", directory.resolve("data").toString(), "-l", directory.resolve("server.log").toString(), "-w", "-t", "60",
            "-o", "-p " + port + " -k " + directory + " -c listen_addresses=127.0.0.1 -c fsync=off", "start");
        server.run("createdb", "-h", directory.toString(), "-p", Integer.toString(port), "-U", USER, DATABASE);
        return server;
    }

    private static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private void run(String tool, String... arguments) throws Exception {
        List<String> command = new ArrayList<>();
        if (runningAsRoot()) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.add(bin.resolve(tool).toString());
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            String log = Files.exists(directory.resolve("server.log")) ? Files.readString(directory.resolve("server.log")) : "";
            throw new IllegalStateException(tool + " failed: " + output + "\n" + log);
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    public String password() {
        return password;
    }

    @Override
    public void close() throws Exception {
        try {
            run("pg_ctl", "-D", directory.resolve("data").toString(), "-m", "fast", "-w", "stop");
        } finally {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
