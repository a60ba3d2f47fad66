package org.jamesrouting.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QueueEntryTrackerTest {
    @Test
    void aStaleCopyOfARequeuedMailIsDropped() {
        QueueEntryTracker tracker = new QueueEntryTracker(100);
        assertThat(tracker.claim("m1", 0)).isTrue();
        tracker.requeued("m1", 1);

        assertThat(tracker.claim("m1", 0)).as("the copy left behind by a crash").isFalse();
        assertThat(tracker.claim("m1", 1)).isTrue();
    }

    @Test
    void anyCopyOfAFinishedMailIsDropped() {
        QueueEntryTracker tracker = new QueueEntryTracker(100);
        tracker.finished("m1");

        assertThat(tracker.claim("m1", 0)).isFalse();
        assertThat(tracker.claim("m1", 7)).isFalse();
        assertThat(tracker.claim("m2", 0)).isTrue();
    }

    @Test
    void remembersOnlyTheMostRecentNames() {
        QueueEntryTracker tracker = new QueueEntryTracker(2);
        tracker.finished("a");
        tracker.finished("b");
        tracker.finished("c");

        assertThat(tracker.claim("a", 0)).isTrue();
        assertThat(tracker.claim("c", 0)).isFalse();
    }

    @Test
    void twoCopiesDequeuedTogetherAreDeliveredOnce() {
        QueueEntryTracker tracker = new QueueEntryTracker(100);

        assertThat(tracker.claim("m1", 3)).isTrue();
        assertThat(tracker.claim("m1", 4)).as("a copy while the other is being delivered").isFalse();
        tracker.released("m1");
        assertThat(tracker.claim("m1", 3)).as("after an unexpected failure the copy may be retried").isTrue();
    }
}
