package org.jamesrouting.delivery;

import org.jamesrouting.schedule.PoisonPolicy;
import org.apache.mailet.AttributeName;

/** What the outbound router records on a queued mail, read back by webadmin's queue view. */
public final class DeliveryAttributes {
    /** When the router first tried the mail (epoch milliseconds): maxAge counts from here. */
    public static final AttributeName FIRST_ATTEMPT = AttributeName.of("org.jamesrouting.delivery.firstAttempt");
    /** How many delivery attempts the mail has had. */
    public static final AttributeName ATTEMPTS = AttributeName.of("org.jamesrouting.delivery.attempts");

    /** How many times the router's processing of the mail has thrown (see {@link PoisonPolicy}). */
    public static final AttributeName PROCESSING_FAILURES = AttributeName.of("org.jamesrouting.delivery.processingFailures");

    private DeliveryAttributes() {
    }
}
