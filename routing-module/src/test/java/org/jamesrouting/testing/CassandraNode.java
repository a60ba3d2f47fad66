package org.jamesrouting.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Apache Cassandra 5.0 for tests, one node on 127.0.0.1 and free ports, as its own JVM:
 * {@code org.apache.cassandra:cassandra-all} and its runtime dependencies from Maven Central,
 * copied once into {@code target/cassandra-lib} of the project by
 * {@code mvn -f tools/cassandra/pom.xml dependency:copy-dependencies} (run from here when
 * missing), with a generated {@code cassandra.yaml}. {@link #shared()} starts it once per test
 * JVM; {@link #stop()} and {@link #start()} simulate an outage on the same data.
 */
public final class CassandraNode {
    private static final String VERSION_MARKER = "cassandra-all-5.0.4.jar";
    private static CassandraNode shared;

    private final Path root;
    private final Path directory;
    private final int nativePort;
    private final int storagePort;
    private final int jmxPort;
    private Process process;

    private CassandraNode(Path root, Path directory) throws IOException {
        this.root = root;
        this.directory = directory;
        this.nativePort = freePort();
        this.storagePort = freePort();
        this.jmxPort = freePort();
    }

    /** The node of this test JVM, started on first use and stopped when the JVM ends. */
    public static synchronized CassandraNode shared() throws Exception {
        if (shared == null) {
            Path root = projectRoot();
            CassandraNode node = new CassandraNode(root, Files.createTempDirectory("james-routing-cassandra"));
            node.start();
            Runtime.getRuntime().addShutdownHook(new Thread(node::stopQuietly));
            shared = node;
        }
        return shared;
    }

    public int port() {
        return nativePort;
    }

    /** For {@code cassandra.nodes} and the driver: 127.0.0.1:port. */
    public String contactPoint() {
        return "127.0.0.1:" + nativePort;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", nativePort);
    }

    public synchronized boolean running() {
        return process != null && process.isAlive();
    }

    /** Starts it (again, on the same data) and waits until it takes CQL connections. */
    public synchronized void start() throws Exception {
        if (running()) {
            return;
        }
        Path lib = library();
        Path yaml = writeYaml();
        Path log = directory.resolve("cassandra.log");
        List<String> command = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xms256m", "-Xmx768m", "-Xss512k", "-XX:+UseG1GC",
            "-Djava.net.preferIPv4Stack=true",
            "-Dcassandra.config=file://" + yaml,
            "-Dcassandra-foreground=yes",
            "-Dcassandra.jmx.local.port=" + jmxPort,
            "-Dcassandra.skip_wait_for_gossip_to_settle=0",
            "-Dcassandra.storagedir=" + directory.resolve("data"),
            "-Dlogback.configurationFile=" + writeLogback()));
        command.addAll(JAVA17_FLAGS);
        command.addAll(List.of("-cp", lib + "/*", "org.apache.cassandra.service.CassandraDaemon"));
        process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.currentTimeMillis() + 180_000;
        while (!accepts()) {
            if (!process.isAlive()) {
                throw new IOException("Cassandra exited with " + process.exitValue() + ":\n" + tail(log));
            }
            if (System.currentTimeMillis() > deadline) {
                process.destroyForcibly();
                throw new IOException("Cassandra did not take CQL connections within 180 s:\n" + tail(log));
            }
            Thread.sleep(200);
        }
    }

    /** Stops it as an administrator does (SIGTERM: Cassandra flushes and exits) and waits. */
    public synchronized void stop() throws Exception {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        process = null;
        long deadline = System.currentTimeMillis() + 10_000;
        while (accepts() && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
    }

    private void stopQuietly() {
        try {
            stop();
        } catch (Exception e) {
            // the JVM ends anyway
        }
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(address(), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private Path library() throws IOException, InterruptedException {
        Path lib = root.resolve("target/cassandra-lib");
        if (!Files.exists(lib.resolve(VERSION_MARKER))) {
            Path output = Files.createDirectories(root.resolve("target")).resolve("cassandra-lib-copy.log");
            Process copy = new ProcessBuilder("mvn", "-B", "-q", "-Dstyle.color=never", "-f", root.resolve("tools/cassandra/pom.xml").toString(),
                "dependency:copy-dependencies").redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!copy.waitFor(10, TimeUnit.MINUTES) || copy.exitValue() != 0 || !Files.exists(lib.resolve(VERSION_MARKER))) {
                throw new IOException("Cannot copy Cassandra from Maven Central into " + lib + ":\n" + Files.readString(output));
            }
        }
        return lib;
    }

    private Path writeYaml() throws IOException {
        Path data = directory.resolve("data");
        String yaml = """
            cluster_name: james-routing-tests
            num_tokens: 1
            partitioner: org.apache.cassandra.dht.Murmur3Partitioner
            data_file_directories:
                - %1$s/data
            commitlog_directory: %1$s/commitlog
            saved_caches_directory: %1$s/saved_caches
            hints_directory: %1$s/hints
            cdc_raw_directory: %1$s/cdc_raw
            commitlog_sync: periodic
            commitlog_sync_period: 10000ms
            seed_provider:
                - class_name: org.apache.cassandra.locator.SimpleSeedProvider
                  parameters:
                      - seeds: "127.0.0.1:%2$d"
            listen_address: 127.0.0.1
            rpc_address: 127.0.0.1
            storage_port: %2$d
            native_transport_port: %3$d
            start_native_transport: true
            endpoint_snitch: SimpleSnitch
            auto_snapshot: false
            """.formatted(data, storagePort, nativePort);
        Path file = directory.resolve("cassandra.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private Path writeLogback() throws IOException {
        Path file = directory.resolve("logback.xml");
        Files.writeString(file, """
            <configuration>
              <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
                <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n</pattern></encoder>
              </appender>
              <root level="INFO"><appender-ref ref="STDOUT"/></root>
            </configuration>
            """);
        return file;
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static int freePort() {
        return TestPorts.free();
    }

    /** The directory with tools/cassandra/pom.xml: the project's root, from a module's directory. */
    private static Path projectRoot() {
        Path directory = Paths.get("").toAbsolutePath();
        while (directory != null) {
            if (Files.exists(directory.resolve("tools/cassandra/pom.xml"))) {
                return directory;
            }
            directory = directory.getParent();
        }
        throw new IllegalStateException("tools/cassandra/pom.xml not found above " + Paths.get("").toAbsolutePath());
    }

    /** Cassandra's own jvm17-server.options, the part it needs to start on Java 17. */
    private static final List<String> JAVA17_FLAGS = Stream.of(
        "--add-exports java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-exports java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-exports java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
        "--add-exports java.rmi/sun.rmi.registry=ALL-UNNAMED",
        "--add-exports java.rmi/sun.rmi.server=ALL-UNNAMED",
        "--add-exports java.sql/java.sql=ALL-UNNAMED",
        "--add-opens java.base/java.lang.module=ALL-UNNAMED",
        "--add-opens java.base/jdk.internal.loader=ALL-UNNAMED",
        "--add-opens java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-opens java.base/jdk.internal.reflect=ALL-UNNAMED",
        "--add-opens java.base/jdk.internal.math=ALL-UNNAMED",
        "--add-opens java.base/jdk.internal.module=ALL-UNNAMED",
        "--add-opens java.base/jdk.internal.util.jar=ALL-UNNAMED",
        "--add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED",
        "--add-opens java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens java.base/java.io=ALL-UNNAMED",
        "--add-opens java.base/java.nio=ALL-UNNAMED",
        "--add-opens java.base/java.util.concurrent=ALL-UNNAMED",
        "--add-opens java.base/java.util=ALL-UNNAMED",
        "--add-opens java.base/java.util.concurrent.atomic=ALL-UNNAMED",
        "--add-opens java.base/java.lang=ALL-UNNAMED",
        "--add-opens java.base/java.math=ALL-UNNAMED",
        "--add-opens java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-opens java.base/java.net=ALL-UNNAMED")
        .flatMap(flag -> Stream.of(flag.split(" ")))
        .toList();
}
