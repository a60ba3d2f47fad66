package org.jamesrouting.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jamesrouting.delivery.RecipientOutcome;
import org.jamesrouting.route.RetryRule;

/**
 * What becomes of a message after one pass over its recipients: who is queued again, after how
 * long and counted as which attempt, and who gets a DSN. A pure decision, the scheduler's one
 * rule for it.
 * <ul>
 * <li>Recipients not tried (their destination at its limit, or deferring when tried from the
 * spool) come back soon with the deferred ones: not trying is not an attempt, and untried mail
 * alone, from the spool, is taken from the queue at once ({@code waitingRetry} otherwise).</li>
 * <li>Deferred recipients wait for the retry schedule (the short greylisting retry when a reply
 * reads as greylisting); past {@code maxAge} they are given up on and join the failed ones. A
 * recipient whose route has its own {@link RetryRule} follows that rule's delays and age; a
 * deferral of a kind with delays of its own (connection refused, a 4.2.2 reply, see
 * {@link org.jamesrouting.route.ErrorRetries}) follows those.</li>
 * <li>Mail queued again after an attempt, older than {@code delayWarning} and not yet noticed,
 * gets its "delayed" notice for the recipients still waiting: once per message.</li>
 * </ul>
 */
public final class AfterAttempt {
    private AfterAttempt() {
    }

    /** How the recipients of a message came out of one pass. */
    /**
     * @param rules the retry rule of the route of each recipient that has one (the others follow the mailet's schedule)
     */
    public record Pass(List<RecipientOutcome> delivered, List<RecipientOutcome> deferred, List<RecipientOutcome> failed,
                       List<RecipientOutcome> waiting, Map<String, RetryRule> rules) {
        public Pass {
            delivered = List.copyOf(delivered);
            deferred = List.copyOf(deferred);
            failed = List.copyOf(failed);
            waiting = List.copyOf(waiting);
            rules = Map.copyOf(rules);
        }

        public Pass(List<RecipientOutcome> delivered, List<RecipientOutcome> deferred, List<RecipientOutcome> failed,
                    List<RecipientOutcome> waiting) {
            this(delivered, deferred, failed, waiting, Map.of());
        }

        RetrySchedule scheduleOf(RecipientOutcome outcome, RetrySchedule retries) {
            return retries.with(rules.getOrDefault(outcome.recipient(), RetryRule.NONE));
        }
    }

    /** Queue the message again for {@code recipients}, counted as {@code attempts} made, after {@code delay}. */
    public record Requeue(List<RecipientOutcome> recipients, int attempts, Duration delay, boolean greylisted) {
    }

    /** A "delayed" notice to send now: for these recipients, tried until {@code retryUntil}. */
    public record DelayNotice(List<RecipientOutcome> recipients, Instant retryUntil) {
    }

    /**
     * @param gaveUp the deferred recipients given up on (past the maximum age), also in {@code bounce}
     * @param delayNotice the "delayed" notice the sender gets now, if one is due
     */
    public record Verdict(Optional<Requeue> requeue, List<RecipientOutcome> bounce, List<RecipientOutcome> gaveUp,
                          Optional<DelayNotice> delayNotice) {
        public Verdict(Optional<Requeue> requeue, List<RecipientOutcome> bounce, List<RecipientOutcome> gaveUp) {
            this(requeue, bounce, gaveUp, Optional.empty());
        }

        /** The message is done with: nothing goes back to the queue. */
        public boolean finished() {
            return requeue.isEmpty();
        }
    }

    /**
     * @param previousAttempts attempts made before this pass
     * @param fromSpool this pass was the first attempt on a spool thread
     * @param retries the mailet's schedule; a recipient whose route has its own rule follows it over this one
     * @param waitingRetry how soon recipients not tried come back (unless from the spool with nothing deferred)
     * @param delayNoticeSent the sender has had this message's "delayed" notice already
     */
    public static Verdict decide(Pass pass, int previousAttempts, Instant firstAttempt, Instant now, boolean fromSpool,
                                 RetrySchedule retries, Duration waitingRetry, boolean delayNoticeSent) {
        Verdict verdict = requeueOrFinish(pass, previousAttempts, firstAttempt, now, fromSpool, retries, waitingRetry);
        if (verdict.requeue().isEmpty() || delayNoticeSent || !retries.delayNoticeDue(firstAttempt, now)) {
            return verdict;
        }
        List<RecipientOutcome> waiting = verdict.requeue().get().recipients();
        Instant until = waiting.stream().map(outcome -> pass.scheduleOf(outcome, retries).retriedUntil(firstAttempt))
            .max(Instant::compareTo).orElseThrow();
        return new Verdict(verdict.requeue(), verdict.bounce(), verdict.gaveUp(), Optional.of(new DelayNotice(waiting, until)));
    }

    /**
     * Each deferred recipient is given up on, or not, by its own schedule; the message comes back
     * at the soonest retry of those kept (a recipient whose route retries more slowly may be
     * tried sooner than its rule says, never later).
     */
    private static Verdict requeueOrFinish(Pass pass, int previousAttempts, Instant firstAttempt, Instant now, boolean fromSpool,
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
        List<RecipientOutcome> again = new ArrayList<>();
        List<RecipientOutcome> gaveUp = new ArrayList<>();
        Duration soonest = null;
        boolean greylisted = false;
        for (RecipientOutcome deferred : pass.deferred()) {
            boolean looksGreylisted = RetrySchedule.looksLikeGreylisting(deferred);
            Optional<Duration> delay = pass.scheduleOf(deferred, retries).forDeferral(deferred.status(), deferred.remoteReply())
                .nextDelay(attempts, firstAttempt, now, looksGreylisted);
            if (delay.isEmpty()) {
                gaveUp.add(deferred);
                continue;
            }
            again.add(deferred);
            if (soonest == null || delay.get().compareTo(soonest) < 0) {
                soonest = delay.get();
                greylisted = looksGreylisted;
            }
        }
        bounce.addAll(gaveUp);
        Optional<Requeue> requeue = again.isEmpty() ? Optional.empty() : Optional.of(new Requeue(again, attempts, soonest, greylisted));
        return new Verdict(requeue, bounce, gaveUp);
    }
}
