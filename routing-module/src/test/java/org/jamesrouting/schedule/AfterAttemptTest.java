package org.jamesrouting.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.jamesrouting.delivery.RecipientOutcome;
import org.jamesrouting.route.RetryRule;
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
            0, FIRST, FIRST, false, RETRIES, WAITING, false);

        assertThat(verdict.finished()).isTrue();
        assertThat(verdict.bounce()).containsExactly(FAILED);
        assertThat(verdict.gaveUp()).isEmpty();
    }

    @Test
    void deferredRecipientsFollowTheScheduleCountingThisAttempt() {
        AfterAttempt.Verdict verdict = AfterAttempt.decide(new AfterAttempt.Pass(List.of(DELIVERED), List.of(DEFERRED), List.of(FAILED), List.of()),
            1, FIRST, FIRST.plusSeconds(300), false, RETRIES, WAITING, false);

        assertThat(verdict.requeue()).contains(new AfterAttempt.Requeue(List.of(DEFERRED), 2, Duration.ofMinutes(30), false));
        assertThat(verdict.bounce()).containsExactly(FAILED);
        assertThat(verdict.finished()).isFalse();
    }

    @Test
    void aGreylistingReplyComesBackOnTheShortRetry() {
        AfterAttempt.Verdict verdict = AfterAttempt.decide(new AfterAttempt.Pass(List.of(), List.of(GREYLISTED), List.of(), List.of()),
            0, FIRST, FIRST, false, RETRIES, WAITING, false);

        assertThat(verdict.requeue()).contains(new AfterAttempt.Requeue(List.of(GREYLISTED), 1, Duration.ofMinutes(2), true));
    }

    @Test
    void pastTheMaximumAgeTheDeferredAreGivenUpOnAndBounced() {
        AfterAttempt.Verdict verdict = AfterAttempt.decide(new AfterAttempt.Pass(List.of(), List.of(DEFERRED), List.of(FAILED), List.of()),
            5, FIRST, FIRST.plus(Duration.ofHours(4)), false, RETRIES, WAITING, false);

        assertThat(verdict.finished()).isTrue();
        assertThat(verdict.gaveUp()).containsExactly(DEFERRED);
        assertThat(verdict.bounce()).containsExactly(FAILED, DEFERRED);
    }

    @Test
    void recipientsNotTriedComeBackSoonWithoutCountingAnAttempt() {
        AfterAttempt.Verdict verdict = AfterAttempt.decide(new AfterAttempt.Pass(List.of(DELIVERED), List.of(), List.of(), List.of(WAITING_ONE)),
            2, FIRST, FIRST, false, RETRIES, WAITING, false);

        assertThat(verdict.requeue()).contains(new AfterAttempt.Requeue(List.of(WAITING_ONE), 2, WAITING, false));
    }

    @Test
    void fromTheSpoolUntriedMailAloneIsQueuedWithoutDelay() {
        AfterAttempt.Verdict verdict = AfterAttempt.decide(new AfterAttempt.Pass(List.of(), List.of(), List.of(), List.of(WAITING_ONE)),
            0, FIRST, FIRST, true, RETRIES, WAITING, false);

        assertThat(verdict.requeue().orElseThrow().delay()).isZero();
        assertThat(verdict.requeue().orElseThrow().attempts()).isZero();
    }

    @Test
    void waitingWithDeferredRecipientsCountsTheAttemptAndWaitsTogether() {
        AfterAttempt.Verdict verdict = AfterAttempt.decide(new AfterAttempt.Pass(List.of(), List.of(DEFERRED), List.of(), List.of(WAITING_ONE)),
            0, FIRST, FIRST, true, RETRIES, WAITING, false);

        assertThat(verdict.requeue()).contains(new AfterAttempt.Requeue(List.of(DEFERRED, WAITING_ONE), 1, WAITING, false));
    }

    private static final RetrySchedule WARNING_AFTER_1H = new RetrySchedule(List.of(Duration.ofMinutes(30)), Duration.ofHours(4),
        Duration.ofMinutes(2), Optional.of(Duration.ofHours(1)));

    @Test
    void mailStillQueuedPastTheDelayWarningGetsOneNoticeForTheRecipientsStillWaiting() {
        AfterAttempt.Pass pass = new AfterAttempt.Pass(List.of(DELIVERED), List.of(DEFERRED), List.of(), List.of(WAITING_ONE));

        AfterAttempt.Verdict due = AfterAttempt.decide(pass, 2, FIRST, FIRST.plus(Duration.ofHours(1)), false, WARNING_AFTER_1H, WAITING, false);
        AfterAttempt.Verdict sentAlready = AfterAttempt.decide(pass, 3, FIRST, FIRST.plus(Duration.ofHours(2)), false, WARNING_AFTER_1H,
            WAITING, true);
        AfterAttempt.Verdict tooSoon = AfterAttempt.decide(pass, 1, FIRST, FIRST.plus(Duration.ofMinutes(59)), false, WARNING_AFTER_1H,
            WAITING, false);

        assertThat(due.delayNotice().orElseThrow().recipients()).containsExactly(DEFERRED, WAITING_ONE);
        assertThat(due.delayNotice().orElseThrow().retryUntil()).isEqualTo(FIRST.plus(Duration.ofHours(4)));
        assertThat(sentAlready.delayNotice()).isEmpty();
        assertThat(tooSoon.delayNotice()).isEmpty();
    }

    @Test
    void noDelayNoticeWhenOffOrWhenGivenUpOn() {
        AfterAttempt.Pass deferred = new AfterAttempt.Pass(List.of(), List.of(DEFERRED), List.of(), List.of());
        Instant late = FIRST.plus(Duration.ofHours(3));

        assertThat(AfterAttempt.decide(deferred, 2, FIRST, late, false, RETRIES, WAITING, false).delayNotice()).as("off").isEmpty();
        AfterAttempt.Verdict gaveUp = AfterAttempt.decide(deferred, 5, FIRST, FIRST.plus(Duration.ofHours(4)), false, WARNING_AFTER_1H,
            WAITING, false);
        assertThat(gaveUp.bounce()).containsExactly(DEFERRED);
        assertThat(gaveUp.delayNotice()).as("the failure DSN says it").isEmpty();
        assertThat(new RetrySchedule(List.of(Duration.ofMinutes(5)), Duration.ofDays(1), Duration.ofMinutes(5), Optional.of(Duration.ZERO))
            .delayWarning()).as("0 is off").isEmpty();
    }

    @Test
    void aRecipientWhoseRouteHasItsOwnRuleFollowsItsDelaysAndItsAge() {
        RetryRule quickAndShort = new RetryRule(Optional.of(List.of(Duration.ofMinutes(1))), Optional.of(Duration.ofMinutes(10)));
        RecipientOutcome partner = outcome("p@partner.test", RecipientOutcome.Kind.TEMPORARY, "4.3.0", "busy", true);
        AfterAttempt.Pass pass = new AfterAttempt.Pass(List.of(), List.of(DEFERRED, partner), List.of(), List.of(),
            java.util.Map.of("p@partner.test", quickAndShort));

        AfterAttempt.Verdict early = AfterAttempt.decide(pass, 1, FIRST, FIRST.plus(Duration.ofMinutes(2)), false, RETRIES, WAITING, false);
        AfterAttempt.Verdict late = AfterAttempt.decide(pass, 3, FIRST, FIRST.plus(Duration.ofMinutes(10)), false, RETRIES, WAITING, false);

        assertThat(early.requeue()).as("back at the soonest: the route's 1m, not the mailet's 30m")
            .contains(new AfterAttempt.Requeue(List.of(DEFERRED, partner), 2, Duration.ofMinutes(1), false));
        assertThat(late.gaveUp()).as("past the route's max-age, not the mailet's").containsExactly(partner);
        assertThat(late.bounce()).containsExactly(partner);
        assertThat(late.requeue()).contains(new AfterAttempt.Requeue(List.of(DEFERRED), 4, Duration.ofMinutes(30), false));
    }

    @Test
    void eachDeferralFollowsTheDelaysOfItsKindWhereThereAreSome() {
        RetrySchedule byKind = RETRIES.with(new RetryRule(Optional.empty(), Optional.empty(),
            org.jamesrouting.route.ErrorRetries.parse("connect 1m; 4.2.2 4h")));
        RecipientOutcome refused = outcome("r@down.test", RecipientOutcome.Kind.TEMPORARY, "4.4.1", "connection refused", false);
        RecipientOutcome full = outcome("f@full.test", RecipientOutcome.Kind.TEMPORARY, "4.2.2", "mailbox full", true);

        AfterAttempt.Verdict connect = AfterAttempt.decide(new AfterAttempt.Pass(List.of(), List.of(refused), List.of(), List.of()),
            1, FIRST, FIRST.plus(Duration.ofMinutes(5)), false, byKind, WAITING, false);
        AfterAttempt.Verdict mailboxFull = AfterAttempt.decide(new AfterAttempt.Pass(List.of(), List.of(full), List.of(), List.of()),
            0, FIRST, FIRST, false, byKind, WAITING, false);
        AfterAttempt.Verdict other = AfterAttempt.decide(new AfterAttempt.Pass(List.of(), List.of(DEFERRED), List.of(), List.of()),
            1, FIRST, FIRST.plus(Duration.ofMinutes(5)), false, byKind, WAITING, false);
        AfterAttempt.Verdict tooLate = AfterAttempt.decide(new AfterAttempt.Pass(List.of(), List.of(full), List.of(), List.of()),
            0, FIRST, FIRST.plus(Duration.ofHours(1)), false, byKind, WAITING, false);

        assertThat(connect.requeue().orElseThrow().delay()).as("connection refused: its 1m, not the schedule's 30m").isEqualTo(Duration.ofMinutes(1));
        assertThat(mailboxFull.requeue().orElseThrow().delay()).as("4.2.2: its 4h, not the schedule's 5m").isEqualTo(Duration.ofHours(4));
        assertThat(other.requeue().orElseThrow().delay()).as("another reply: the schedule").isEqualTo(Duration.ofMinutes(30));
        assertThat(tooLate.gaveUp()).as("the next try would be past the maximum age").containsExactly(full);
    }

    @Test
    void aRouteWithItsOwnDelaysTakesNoneOfTheMailetsKinds() {
        RetrySchedule mailet = new RetrySchedule(List.of(Duration.ofMinutes(5)), Duration.ofHours(4), Duration.ofMinutes(2), Optional.empty(),
            org.jamesrouting.route.ErrorRetries.parse("connect 1m; dns 2m"));

        RetrySchedule ownDelays = mailet.with(RetryRule.parse(Optional.of("10m"), Optional.empty(), java.util.Map.of("dns", "3m")));
        RetrySchedule ownKinds = mailet.with(RetryRule.parse(Optional.empty(), Optional.empty(), java.util.Map.of("dns", "3m")));

        assertThat(ownDelays.byError().texts()).containsExactly(java.util.Map.entry("dns", "3m"));
        assertThat(ownKinds.byError().texts()).containsExactly(java.util.Map.entry("connect", "1m"), java.util.Map.entry("dns", "3m"));
        assertThat(ownKinds.forDeferral("4.4.1", false).delays()).containsExactly(Duration.ofMinutes(1));
        assertThat(ownKinds.forDeferral("4.3.0", true).delays()).containsExactly(Duration.ofMinutes(5));
        assertThat(ownKinds.describe()).startsWith("retry 5m (repeated); by kind of deferral: connect 1m; dns 3m, given up after 4h");
    }

    @Test
    void theDelayNoticeSaysUntilWhenTheLongestRuleTries() {
        RetryRule longer = new RetryRule(Optional.empty(), Optional.of(Duration.ofDays(2)));
        AfterAttempt.Pass pass = new AfterAttempt.Pass(List.of(), List.of(DEFERRED), List.of(), List.of(),
            java.util.Map.of("c@x.test", longer));

        AfterAttempt.Verdict verdict = AfterAttempt.decide(pass, 2, FIRST, FIRST.plus(Duration.ofHours(1)), false, WARNING_AFTER_1H,
            WAITING, false);

        assertThat(verdict.delayNotice().orElseThrow().retryUntil()).isEqualTo(FIRST.plus(Duration.ofDays(2)));
    }
}
