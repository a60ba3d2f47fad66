package org.jamesrouting.server;

import org.apache.james.lifecycle.api.StartUpCheck;
import org.apache.james.server.core.MimeMessageInputStreamSource;

/**
 * Refuses to start when {@code james.message.memory.threshold} (conf/jvm.properties) is written
 * in a way James cannot read ("512K" instead of "512KiB"): James would otherwise start and then
 * answer every DATA with "451 Unable to process request", because the class that reads the
 * setting fails the first time a message arrives.
 */
public class MessageThresholdCheck implements StartUpCheck {
    public static final String NAME = "james-routing message memory threshold";
    static final String PROPERTY = "james.message.memory.threshold";

    @Override
    public CheckResult check() {
        try {
            MimeMessageInputStreamSource.create("start-up-check").dispose();
            return CheckResult.builder().checkName(NAME).resultType(ResultType.GOOD).build();
        } catch (ExceptionInInitializerError | NoClassDefFoundError e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return CheckResult.builder().checkName(NAME).resultType(ResultType.BAD)
                .description("conf/jvm.properties: " + PROPERTY + "=" + System.getProperty(PROPERTY) + " cannot be read ("
                    + cause.getMessage() + "): write a size with a unit James knows, such as 512KiB or 1MiB")
                .build();
        }
    }

    @Override
    public String checkName() {
        return NAME;
    }
}
