package org.jamesrouting.server;

import java.io.Writer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where an embedded Derby database writes its messages: James's log (logger
 * {@code org.jamesrouting.server.Derby}, at INFO), line by line, instead of a {@code derby.log} file in whatever
 * directory the process was started from. Named by the system property
 * {@code derby.stream.error.method}, which {@link JpaDatabaseModule} sets unless the operator
 * set a Derby log property.
 */
public final class DerbyLog {
    static final String PROPERTY = "derby.stream.error.method";
    private static final Logger LOGGER = LoggerFactory.getLogger("org.jamesrouting.server.Derby");

    private DerbyLog() {
    }

    /** Called by Derby when it boots. */
    public static Writer writer() {
        return new Writer() {
            private final StringBuilder line = new StringBuilder();

            @Override
            public synchronized void write(char[] characters, int offset, int length) {
                for (int i = offset; i < offset + length; i++) {
                    char character = characters[i];
                    if (character == '\n') {
                        flushLine();
                    } else if (character != '\r') {
                        line.append(character);
                    }
                }
            }

            private void flushLine() {
                if (!line.toString().isBlank()) {
                    LOGGER.info("{}", line);
                }
                line.setLength(0);
            }

            @Override
            public synchronized void flush() {
            }

            @Override
            public synchronized void close() {
                flushLine();
            }
        };
    }

    /** Points Derby at {@link #writer()} unless a Derby log destination is already chosen. */
    static void install() {
        if (System.getProperty(PROPERTY) == null && System.getProperty("derby.stream.error.file") == null
            && System.getProperty("derby.stream.error.field") == null) {
            System.setProperty(PROPERTY, DerbyLog.class.getName() + ".writer");
        }
    }
}
