package org.jamesrouting.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.google.inject.Module;

/**
 * Which durable mail queue the server runs on, from {@code conf/queue.properties}
 * ({@code queue.implementation}): {@code disk} (the default, also without the file): our
 * {@link DurableMailQueueModule}; {@code activemq}: James's own ActiveMQ queue on an in-JVM
 * broker ({@link ActiveMqMailQueueModule}), the queue of the server before, kept to compare
 * (bench/relay.sh) and for whoever prefers James's own. Any other value stops the start,
 * naming the file and line.
 */
public enum MailQueueChoice {
    DISK, ACTIVEMQ;

    public static final String FILE = "queue.properties";
    static final String KEY = "queue.implementation";

    public static MailQueueChoice read(Path confDirectory) {
        Path file = confDirectory.resolve(FILE);
        if (!Files.exists(file)) {
            return DISK;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
        MailQueueChoice choice = DISK;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("!")) {
                continue;
            }
            String[] pair = line.split("\\s*[=:]\\s*", 2);
            if (!pair[0].equals(KEY)) {
                throw new IllegalArgumentException(file + ", line " + (i + 1) + ": unknown setting '" + pair[0] + "' (known: " + KEY + ")");
            }
            String value = pair.length > 1 ? pair[1].trim() : "";
            choice = switch (value) {
                case "disk" -> DISK;
                case "activemq" -> ACTIVEMQ;
                default -> throw new IllegalArgumentException(file + ", line " + (i + 1) + ": " + KEY + " is '" + value + "'; expected disk or activemq");
            };
        }
        return choice;
    }

    public Module module() {
        return this == DISK ? new DurableMailQueueModule() : new ActiveMqMailQueueModule();
    }
}
