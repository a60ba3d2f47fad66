package org.jamesrouting.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A James working directory for a test: the project's own conf/ copied in, with its four
 * listening ports moved to free ones so that tests never clash with a running server.
 */
public final class JamesHome {
    public static Path projectRoot() {
        return Paths.get(System.getProperty("jamesrouting.root", "..")).toAbsolutePath().normalize();
    }

    public static JamesHome fromProjectConf(Path directory) {
        return fromProjectConf(directory, freePort(), freePort(), freePort(), freePort());
    }

    /**
     * The project's conf/ with the given ports. Each shipped bind is replaced as a whole
     * ({@code <bind>127.0.0.1:2525</bind>}), never as a prefix: a new SMTP port such as 25874
     * must not then be taken for the submission port 2587 followed by a 4.
     */
    static JamesHome fromProjectConf(Path directory, int smtpPort, int submissionPort, int imapPort, int webAdminPort) {
        try {
            Path conf = Files.createDirectories(directory.resolve("conf"));
            try (Stream<Path> files = Files.list(projectRoot().resolve("conf"))) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Files.copy(file, conf.resolve(file.getFileName()));
                }
            }
            JamesHome home = new JamesHome(directory, smtpPort, submissionPort, imapPort, webAdminPort);
            home.edit("smtpserver.xml", text -> rebind(rebind(text, 2525, smtpPort), 2587, submissionPort));
            home.edit("imapserver.xml", text -> rebind(text, 1143, imapPort));
            home.edit("webadmin.properties", text -> text.replaceFirst("(?m)^port=8000$", "port=" + webAdminPort));
            return home;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String rebind(String text, int shippedPort, int port) {
        String shipped = "<bind>127.0.0.1:" + shippedPort + "</bind>";
        if (!text.contains(shipped)) {
            throw new IllegalStateException("the shipped conf has no " + shipped);
        }
        return text.replace(shipped, "<bind>127.0.0.1:" + port + "</bind>");
    }

    private final Path directory;
    private final int smtpPort;
    private final int submissionPort;
    private final int imapPort;
    private final int webAdminPort;

    private JamesHome(Path directory, int smtpPort, int submissionPort, int imapPort, int webAdminPort) {
        this.directory = directory;
        this.smtpPort = smtpPort;
        this.submissionPort = submissionPort;
        this.imapPort = imapPort;
        this.webAdminPort = webAdminPort;
    }

    /** Rewrites one file of the home's conf/; fails when the edit changes nothing. */
    public JamesHome edit(String confFile, UnaryOperator<String> change) {
        Path file = directory.resolve("conf").resolve(confFile);
        try {
            String before = Files.readString(file, StandardCharsets.UTF_8);
            String after = change.apply(before);
            if (after.equals(before)) {
                throw new IllegalStateException("edit of " + confFile + " changed nothing");
            }
            Files.writeString(file, after, StandardCharsets.UTF_8);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces the undelivered-mail rule's parameters in mailetcontainer.xml. */
    public JamesHome undeliveredRule(String defaultAction, String domains) {
        return edit("mailetcontainer.xml", text -> text.replaceFirst(
            "(?s)<default>reject</default>\\s*<domains>.*?</domains>",
            "<default>" + defaultAction + "</default>\n<domains>\n" + domains + "\n</domains>"));
    }

    /**
     * Replaces the OutboundRouter mailet's parameters in mailetcontainer.xml; the shipped
     * heloName stays unless the test gives one (without it the router refuses a machine name
     * that is not fully qualified).
     */
    public JamesHome outboundRouter(String givenParameters) {
        String parameters = givenParameters.contains("<heloName>") ? givenParameters
            : "<heloName>james-routing.localhost</heloName>\n" + givenParameters;
        return edit("mailetcontainer.xml", text -> text.replaceFirst(
            "(?s)(<mailet match=\"All\" class=\"org.jamesrouting.mailets.OutboundRouter\">).*?(</mailet>)",
            "$1\n" + java.util.regex.Matcher.quoteReplacement(parameters) + "\n$2"));
    }

    /** Writes conf/routes.conf. */
    public JamesHome routes(String content) {
        try {
            Files.writeString(directory.resolve("conf/routes.conf"), content, StandardCharsets.UTF_8);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A port free now, below the kernel's ephemeral range ({@link org.jamesrouting.testing.TestPorts}). */
    public static int freePort() {
        return org.jamesrouting.testing.TestPorts.free();
    }

    public Path directory() {
        return directory;
    }

    public int smtpPort() {
        return smtpPort;
    }

    public int submissionPort() {
        return submissionPort;
    }

    public int imapPort() {
        return imapPort;
    }

    public int webAdminPort() {
        return webAdminPort;
    }
}
