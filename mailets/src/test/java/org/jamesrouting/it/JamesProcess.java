package org.jamesrouting.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The stock James 3.8.1 memory application ({@code MemoryJamesServerMain}) as its own process,
 * with the James runtime built by this project (mailets/target/james-lib) as its only classpath
 * and our extension jar in its extensions-jars/ folder.
 */
public final class JamesProcess implements AutoCloseable {
    private final JamesHome home;
    private final Process process;

    private JamesProcess(JamesHome home, Process process) {
        this.home = home;
        this.process = process;
    }

    public static Path jamesLib() {
        return Paths.get(System.getProperty("jamesrouting.jamesLib"));
    }

    /** Starts the stock memory application with james-routing-extension.jar in the home's extensions-jars/ folder (the drop-in way). */
    public static JamesProcess launch(JamesHome home) throws IOException {
        Path extensions = Files.createDirectories(home.directory().resolve("extensions-jars"));
        Files.copy(Paths.get(System.getProperty("jamesrouting.extensionJar")), extensions.resolve("james-routing-extension.jar"),
            StandardCopyOption.REPLACE_EXISTING);
        return start(home, jamesLib() + "/*", "org.apache.james.MemoryJamesServerMain");
    }

    /** Starts the server bin/james-routing runs: our main class (durable queues), our jar on the classpath. */
    public static JamesProcess launchRoutingServer(JamesHome home) throws IOException {
        return start(home, System.getProperty("jamesrouting.extensionJar") + ":" + jamesLib() + "/*",
            "org.jamesrouting.server.RoutingJamesServerMain");
    }

    private static JamesProcess start(JamesHome home, String classpath, String mainClass) throws IOException {
        List<String> command = new ArrayList<>(List.of(
            Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx512m",
            "-Dworking.directory=" + home.directory(),
            "-Dlogback.configurationFile=" + home.directory().resolve("conf/logback.xml"),
            "-cp", classpath,
            mainClass, "--generate-keystore"));
        Process process = new ProcessBuilder(command)
            .directory(home.directory().toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(home.directory().resolve("console.log").toFile()))
            .start();
        return new JamesProcess(home, process);
    }

    /** Waits until webadmin answers; fails with the console if the process ends first. */
    public JamesProcess awaitStarted() throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("James exited with " + process.exitValue() + ":\n" + console());
            }
            try {
                if (new WebAdminClient(home.webAdminPort()).get("/domains").status() == 200) {
                    return this;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("James did not start in time:\n" + console());
    }

    /** Waits for the process to end by itself; its exit code. */
    public int awaitExit() throws Exception {
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            throw new AssertionError("James is still running:\n" + console());
        }
        return process.exitValue();
    }

    public String console() throws IOException {
        return Files.readString(home.directory().resolve("console.log"));
    }

    public long pid() {
        return process.pid();
    }

    /** The JVM's threads as jcmd prints them (for failure reports). */
    public String threadDump() throws Exception {
        Process jcmd = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "jcmd").toString(),
            Long.toString(process.pid()), "Thread.print").redirectErrorStream(true).start();
        String dump = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        jcmd.waitFor(30, TimeUnit.SECONDS);
        return dump;
    }

    /** SIGKILL: no shutdown hook, no flush, like a power cut for the JVM. */
    public void kill() throws Exception {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
