package org.jamesrouting.it;

import java.util.Arrays;
import java.util.List;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/** The log lines of one logger of the James running in this JVM, kept while the test runs. */
final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogCapture(Class<?> loggerClass) {
        this.logger = (Logger) LoggerFactory.getLogger(loggerClass);
        appender.start();
        logger.addAppender(appender);
    }

    static LogCapture of(Class<?> loggerClass) {
        return new LogCapture(loggerClass);
    }

    /** Whether one line holds every one of {@code parts}. */
    boolean anyLineWith(String... parts) {
        List<ILoggingEvent> events = List.copyOf(appender.list);
        return events.stream().map(ILoggingEvent::getFormattedMessage)
            .anyMatch(line -> Arrays.stream(parts).allMatch(line::contains));
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
    }
}
