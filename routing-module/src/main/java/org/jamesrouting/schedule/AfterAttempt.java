package org.jamesrouting.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.jamesrouting.delivery.RecipientOutcome;

/**
 * What becomes of a message after one pass over its recipients: who is queued again, after how
 * long and counted as which attempt, and who gets a DSN. A pure decision, the scheduler's one
 * rule for it.
 * <ul>
 * <li>Recipients not tried (their destination at its limit, or deferring when tried from the
 * spool) come back soon with the deferred ones: not trying is not an attempt, and untried mail
 * alone, from the spool, is taken from the queue at once ({@code waitingRetry} otherwise).</li>
 * <li>Deferred recipients wait for the retry schedule (the short greylisting retry when a reply
 * reads as greylisting); past {@code maxAge} they are given up on and join the failed ones.</li>
 * </ul>
 */
public final class AfterAttempt {
    private AfterAttempt() {
    }

    /** How the recipients of a message came out of one pass. */
    public record Pass(List<RecipientOutcome> delivered, List<RecipientOutcome> deferred, List<RecipientOutcome> failed,
                       List<RecipientOutcome> waiting) {
        public Pass {
            delivered = List.copyOf(delivered);
            deferred = List.copyOf(deferred);
            failed = List.copyOf(failed);
            waiting = List.copyOf(waiting);
        }
    }

    /** Queue the message again for {@code recipients}, counted as {@code attempts} made, after {@code delay}. */
    public record Requeue(List<RecipientOutcome> recipients, int attempts, Duration delay, boolean greylisted) {
    }

    /** @param gaveUp the deferred recipients given up on (past the maximum age), also in {@code bounce} */
    public record Verdict(Optional<Requeue> requeue, List<RecipientOutcome> bounce, List<RecipientOutcome> gaveUp) {
        /** The message is done with: nothing goes back to the queue. */
        public boolean finished() {
            return requeue.isEmpty();
        }
    }

    /**
     * @param previousAttempts attempts made before this pass
     * @param fromSpool this pass was the first attempt on a spool thread
     * @param waitingRetry how soon recipients not tried come back (unless from the spool with nothing deferred)
     */
    public static Verdict decide(Pass pass, int previousAttempts, Instant firstAttempt, Instant now, boolean fromSpool,
                                 RetrySchedule retries, Duration waitingRetry) {
        List<RecipientOutcome> bounce = new ArrayList<>(pass.failed());
        int attempts = previousAttempts + 1;
        if (!pass.waiting().isEmpty()) {
            List<RecipientOutcome> again = new ArrayList<>(pass.deferred());
            again.addAll(pass.waiting());
            boolean triedNone = pass.deferred().isEmpty();
            Duration delay = fromSpool && triedNone ? Duration.ZERO : waitingRetry;
            return new Verdict(Optional.of(new Requeue(again, triedNone ? previousAttempts : attempts, delay, false)), bounce, List.of());
        }
        if (pass.deferred().isEmpty()) {
            return new Verdict(Optional.empty(), bounce, List.of());
        }
        boolean greylisted = pass.deferred().stream().anyMatch(RetrySchedule::looksLikeGreylisting);
        Optional<Duration> delay = retries.nextDelay(attempts, firstAttempt, now, greylisted);
        if (delay.isPresent()) {
            return new Verdict(Optional.of(new Requeue(pass.deferred(), attempts, delay.get(), greylisted)), bounce, List.of());
        }
        bounce.addAll(pass.deferred());
        return new Verdict(Optional.empty(), bounce, pass.deferred());
    }
}
