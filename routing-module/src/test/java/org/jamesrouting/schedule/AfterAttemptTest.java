package org.jamesrouting.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.jamesrouting.delivery.RecipientOutcome;
import org.junit.jupiter.api.Test;

class AfterAttemptTest {
    private static final Instant FIRST = Instant.parse("2026-12-03T10:00:00Z");
    private static final RetrySchedule RETRIES = new RetrySchedule(List.of(Duration.ofMinutes(5), Duration.ofMinutes(30)),
        Duration.ofHours(4), Duration.ofMinutes(2));
    private static final Duration WAITING = Duration.ofSeconds(2);

    private static RecipientOutcome outcome(String recipient, RecipientOutcome.Kind kind, String status, String text, boolean reply) {
        return new RecipientOutcome(recipient, kind, status, text, Optional.empty(), reply);
    }

    private static final RecipientOutcome DELIVERED = outcome("a@x.test", RecipientOutcome.Kind.DELIVERED, "2.0.0", "ok", true);
    private static final RecipientOutcome FAILED = outcome("b@x.test", RecipientOutcome.Kind.PERMANENT, "5.1.1", "no such user", true);
    private static final RecipientOutcome DEFERRED = outcome("c@x.test", RecipientOutcome.Kind.TEMPORARY, "4.3.0", "busy", true);
    private static final RecipientOutcome GREYLISTED = outcome("d@x.test", RecipientOutcome.Kind.TEMPORARY, "4.7.1",
        "Greylisted, please try again later", true);
    private static final RecipientOutcome WAITING_ONE = outcome("e@y.test", RecipientOutcome.Kind.TEMPORARY, "4.4.5",
        "waiting: the destination is at its concurrency limit", false);

    @Test
    void deliveredAndFailedFinishTheMessageAndOnlyTheFailedAreBounced() {
        AfterAttempt.Verdict verdict = AfterAttempt.decide(new AfterAttempt.Pass(List.of(DELIVERED), List.of(), List.of(FAILED), List.of()),
            0, FIRST, FIRST, false, RETRIES, WAITING);

        assertThat(verdict.finished()).isTrue();
        assertThat(verdict.bounce()).containsExactly(FAILED);
        assertThat(verdict.gaveUp()).isEmpty();
    }

    @Test
    void deferredRecipientsFollowTheScheduleCountingThisAttempt() {
        AfterAttempt.Verdict verdict = AfterAttempt.decide(new AfterAttempt.Pass(List.of(DELIVERED), List.of(DEFERRED), List.of(FAILED), List.of()),
            1, FIRST, FIRST.plusSeconds(300), false, RETRIES, WAITING);

        assertThat(verdict.requeue()).contains(new AfterAttempt.Requeue(List.of(DEFERRED), 2, Duration.ofMinutes(30), false));
        assertThat(verdict.bounce()).containsExactly(FAILED);
        assertThat(verdict.finished()).isFalse();
    }

    @Test
    void aGreylistingReplyComesBackOnTheShortRetry() {
        AfterAttempt.Verdict verdict = AfterAttempt.decide(new AfterAttempt.Pass(List.of(), List.of(GREYLISTED), List.of(), List.of()),
            0, FIRST, FIRST, false, RETRIES, WAITING);

        assertThat(verdict.requeue()).contains(new AfterAttempt.Requeue(List.of(GREYLISTED), 1, Duration.ofMinutes(2), true));
    }

    @Test
    void pastTheMaximumAgeTheDeferredAreGivenUpOnAndBounced() {
        AfterAttempt.Verdict verdict = AfterAttempt.decide(new AfterAttempt.Pass(List.of(), List.of(DEFERRED), List.of(FAILED), List.of()),
            5, FIRST, FIRST.plus(Duration.ofHours(4)), false, RETRIES, WAITING);

        assertThat(verdict.finished()).isTrue();
        assertThat(verdict.gaveUp()).containsExactly(DEFERRED);
        assertThat(verdict.bounce()).containsExactly(FAILED, DEFERRED);
    }

    @Test
    void recipientsNotTriedComeBackSoonWithoutCountingAnAttempt() {
        AfterAttempt.Verdict verdict = AfterAttempt.decide(new AfterAttempt.Pass(List.of(DELIVERED), List.of(), List.of(), List.of(WAITING_ONE)),
            2, FIRST, FIRST, false, RETRIES, WAITING);

        assertThat(verdict.requeue()).contains(new AfterAttempt.Requeue(List.of(WAITING_ONE), 2, WAITING, false));
    }

    @Test
    void fromTheSpoolUntriedMailAloneIsQueuedWithoutDelay() {
        AfterAttempt.Verdict verdict = AfterAttempt.decide(new AfterAttempt.Pass(List.of(), List.of(), List.of(), List.of(WAITING_ONE)),
            0, FIRST, FIRST, true, RETRIES, WAITING);

        assertThat(verdict.requeue().orElseThrow().delay()).isZero();
        assertThat(verdict.requeue().orElseThrow().attempts()).isZero();
    }

    @Test
    void waitingWithDeferredRecipientsCountsTheAttemptAndWaitsTogether() {
        AfterAttempt.Verdict verdict = AfterAttempt.decide(new AfterAttempt.Pass(List.of(), List.of(DEFERRED), List.of(), List.of(WAITING_ONE)),
            0, FIRST, FIRST, true, RETRIES, WAITING);

        assertThat(verdict.requeue()).contains(new AfterAttempt.Requeue(List.of(DEFERRED, WAITING_ONE), 1, WAITING, false));
    }
}
