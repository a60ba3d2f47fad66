package org.jamesrouting.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

class DeliveryThreadsTest {
    private static void start(Scheduler scheduler, CountDownLatch release) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        Mono.fromRunnable(() -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }).subscribeOn(scheduler).subscribe();
        assertThat(started.await(5, TimeUnit.SECONDS)).as("a free thread took the task").isTrue();
    }

    @Test
    void aTaskNeverWaitsBehindABlockedDeliveryWhileAnotherThreadIsFree() throws Exception {
        Scheduler scheduler = DeliveryThreads.scheduler(2);
        CountDownLatch slowPeer = new CountDownLatch(1);
        try {
            start(scheduler, slowPeer);
            for (int round = 0; round < 50; round++) {
                CountDownLatch quick = new CountDownLatch(1);
                start(scheduler, quick); // both threads busy now
                CountDownLatch ran = new CountDownLatch(1);
                Mono.fromRunnable(ran::countDown).subscribeOn(scheduler).subscribe();
                quick.countDown(); // one thread free again: the waiting task is its
                assertThat(ran.await(5, TimeUnit.SECONDS)).as("round %d: ran on the thread that came free", round).isTrue();
                assertThat(slowPeer.getCount()).isEqualTo(1);
            }
        } finally {
            slowPeer.countDown();
            scheduler.dispose();
        }
    }

    @Test
    void delayedTasksRunOnThePool() throws Exception {
        Scheduler scheduler = DeliveryThreads.scheduler(1);
        try {
            String thread = Mono.delay(Duration.ofMillis(20), scheduler).map(any -> Thread.currentThread().getName())
                .block(Duration.ofSeconds(5));
            assertThat(thread).startsWith("james-routing-delivery-");
        } finally {
            scheduler.dispose();
        }
    }

    @Test
    void refusesNoThreads() {
        assertThatThrownBy(() -> DeliveryThreads.scheduler(0)).hasMessageContaining("at least one delivery thread");
    }
}
