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

    /** On held mail: the destination it is held for, or {@code message} when the operator held that message. */
    public static final AttributeName HELD_FOR = AttributeName.of("org.jamesrouting.delivery.heldFor");
    /** On held mail: since when (epoch milliseconds); the time on hold does not count towards maxAge. */
    public static final AttributeName HELD_SINCE = AttributeName.of("org.jamesrouting.delivery.heldSince");
    /** On held mail: the operator's reason. */
    public static final AttributeName HELD_REASON = AttributeName.of("org.jamesrouting.delivery.heldReason");
    /** The name of the mail a held copy was made from. */
    public static final AttributeName ORIGINAL_NAME = AttributeName.of("org.jamesrouting.delivery.originalName");
    /** On mail being released from hold: its held copy is removed before it is delivered (exactly once, even across a crash). */
    public static final AttributeName RELEASED = AttributeName.of("org.jamesrouting.delivery.released");
    /** The sender has had the "delayed" notice of this message (sent once). */
    public static final AttributeName DELAY_NOTICE_SENT = AttributeName.of("org.jamesrouting.delivery.delayNoticeSent");

    private DeliveryAttributes() {
    }
}
