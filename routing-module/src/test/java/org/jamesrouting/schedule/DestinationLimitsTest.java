package org.jamesrouting.schedule;

import org.jamesrouting.delivery.OutboundConfiguration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.jamesrouting.route.StaticRoutesParser;
import org.junit.jupiter.api.Test;

class DestinationLimitsTest {
    @Test
    void aDestinationGetsAtMostItsLimitAndOthersAreNotAffected() {
        DestinationLimits limits = new DestinationLimits(2);
        Optional<DestinationLimits.Permit> first = limits.tryAcquire("mx:slow.test");
        Optional<DestinationLimits.Permit> second = limits.tryAcquire("mx:slow.test");
        assertThat(first).isPresent();
        assertThat(second).isPresent();
        assertThat(limits.tryAcquire("mx:slow.test")).isEmpty();
        assertThat(limits.tryAcquire("mx:fast.test")).isPresent();

        first.get().close();
        first.get().close();
        assertThat(limits.inFlight("mx:slow.test")).as("closing twice frees one slot only").isEqualTo(1);
        assertThat(limits.tryAcquire("mx:slow.test")).isPresent();
        assertThat(limits.tryAcquire("mx:slow.test")).isEmpty();
    }

    @Test
    void theLimitDefaultsToHalfTheThreadsAndCannotExceedThem() {
        OutboundConfiguration defaults = OutboundConfiguration.parse(name -> Optional.empty(), StaticRoutesParser.SecretSource.SYSTEM, "h.example");
        assertThat(defaults.deliveryThreads()).isEqualTo(16);
        assertThat(defaults.destinationConcurrency()).isEqualTo(8);
        assertThat(defaults.immediateDeliveries()).as("first attempts straight from the spool").isEqualTo(8);
        assertThat(OutboundConfiguration.parse(name -> name.equals("immediateDeliveries") ? Optional.of("0") : Optional.empty(),
            StaticRoutesParser.SecretSource.SYSTEM, "h.example").immediateDeliveries()).isZero();
        OutboundConfiguration one = OutboundConfiguration.parse(name -> name.equals("deliveryThreads") ? Optional.of("1") : Optional.empty(),
            StaticRoutesParser.SecretSource.SYSTEM, "h.example");
        assertThat(one.destinationConcurrency()).isEqualTo(1);
        assertThatThrownBy(() -> OutboundConfiguration.parse(name -> switch (name) {
            case "deliveryThreads" -> Optional.of("4");
            case "destinationConcurrency" -> Optional.of("5");
            default -> Optional.empty();
        }, StaticRoutesParser.SecretSource.SYSTEM, "h.example")).hasMessageContaining("<destinationConcurrency>: 5 is more than <deliveryThreads> (4)");
    }

    @Test
    void aFullQuickDestinationIsWaitedForAndTheFreedSlotGoesToTheWaiter() throws Exception {
        DestinationLimits limits = new DestinationLimits(1);
        DestinationLimits.Permit held = limits.tryAcquire("smart host").orElseThrow();
        Thread releaser = new Thread(() -> {
            sleep(150);
            held.close();
        });
        long start = System.nanoTime();
        releaser.start();
        Optional<DestinationLimits.Permit> waited = limits.acquire("smart host", Duration.ofSeconds(5));
        long waitedMillis = (System.nanoTime() - start) / 1_000_000;
        releaser.join();
        assertThat(waited).as("the slot freed meanwhile").isPresent();
        assertThat(waitedMillis).isBetween(100L, 4000L);
        assertThat(limits.inFlight("smart host")).isEqualTo(1);
        assertThat(limits.tryAcquire("smart host")).as("the limit still holds").isEmpty();
    }

    @Test
    void theWaitEndsEmptyWhenNoSlotComesFree() {
        DestinationLimits limits = new DestinationLimits(1);
        limits.tryAcquire("smart host").orElseThrow();
        long start = System.nanoTime();
        assertThat(limits.acquire("smart host", Duration.ofMillis(200))).isEmpty();
        assertThat((System.nanoTime() - start) / 1_000_000).isBetween(150L, 3000L);
        assertThat(limits.waiting("smart host")).isZero();
    }

    @Test
    void aSlowDestinationIsNotWaitedFor() {
        AtomicLong nanos = new AtomicLong();
        DestinationLimits limits = new DestinationLimits(1, nanos::get, 100);
        DestinationLimits.Permit first = limits.tryAcquire("mx:slow.test").orElseThrow();
        nanos.addAndGet(Duration.ofSeconds(3).toNanos());
        first.close();
        limits.tryAcquire("mx:slow.test").orElseThrow();
        // the fake clock never moves: a wait would never end; a slow destination is not waited for
        assertThat(limits.acquire("mx:slow.test", Duration.ofSeconds(1))).isEmpty();
        assertThat(limits.waiting("mx:slow.test")).isZero();
    }

    @Test
    void atMostPerDestinationDeliveriesWaitForOneDestination() throws Exception {
        DestinationLimits limits = new DestinationLimits(1);
        DestinationLimits.Permit held = limits.tryAcquire("smart host").orElseThrow();
        CompletableFuture<Optional<DestinationLimits.Permit>> waiter = CompletableFuture.supplyAsync(() ->
            limits.acquire("smart host", Duration.ofSeconds(10)));
        long deadline = System.currentTimeMillis() + 5000;
        while (limits.waiting("smart host") == 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertThat(limits.waiting("smart host")).isEqualTo(1);
        long start = System.nanoTime();
        assertThat(limits.acquire("smart host", Duration.ofSeconds(10))).as("one waiter already: back to the queue").isEmpty();
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1000L);
        held.close();
        assertThat(waiter.get(5, TimeUnit.SECONDS)).isPresent();
    }

    @Test
    void pastTheRememberedCountIdleDestinationsAreForgottenAndTheLimitStillHolds() {
        DestinationLimits limits = new DestinationLimits(1, System::nanoTime, 2);
        for (String domain : List.of("mx:a.test", "mx:b.test", "mx:c.test", "mx:d.test")) {
            limits.tryAcquire(domain).orElseThrow().close();
        }
        assertThat(limits.remembered()).isLessThanOrEqualTo(3);
        DestinationLimits.Permit again = limits.tryAcquire("mx:a.test").orElseThrow();
        assertThat(limits.tryAcquire("mx:a.test")).as("a forgotten destination starts afresh, with its limit").isEmpty();
        again.close();
        assertThat(limits.snapshot()).doesNotContainKey("mx:a.test");
    }

    @Test
    void mailQueuedInMemoryIsHandedTheSlotOfTheDeliveryThatEndsInTheOrderItCame() {
        DestinationLimits limits = new DestinationLimits(1);
        DestinationLimits.Permit busy = ((DestinationLimits.Now) limits.acquireOrQueue("route slow", permit -> { })).permit();
        List<String> granted = new java.util.ArrayList<>();
        List<DestinationLimits.Permit> permits = new java.util.ArrayList<>();
        for (String mail : List.of("first", "second")) {
            assertThat(limits.acquireOrQueue("route slow", permit -> {
                granted.add(mail);
                permits.add(permit);
            })).isInstanceOf(DestinationLimits.Queued.class);
        }
        assertThat(limits.queuedInMemory()).containsEntry("route slow", 2);
        assertThat(limits.tryAcquire("route slow")).as("a newcomer does not overtake the queued mail").isEmpty();

        busy.close();
        assertThat(granted).containsExactly("first");
        assertThat(limits.inFlight("route slow")).as("the slot went on, it was not freed").isEqualTo(1);
        permits.get(0).close();
        assertThat(granted).containsExactly("first", "second");
        permits.get(1).close();
        assertThat(limits.inFlight("route slow")).isZero();
        assertThat(limits.queuedInMemory()).isEmpty();
        assertThat(limits.acquireOrQueue("route slow", permit -> { })).isInstanceOf(DestinationLimits.Now.class);
    }

    @Test
    void theInMemoryQueueIsBoundedPerDestinationAndInAll() {
        DestinationLimits limits = new DestinationLimits(1, System::nanoTime, 100, 2, 3);
        limits.tryAcquire("a").orElseThrow();
        limits.tryAcquire("b").orElseThrow();
        assertThat(limits.acquireOrQueue("a", permit -> { })).isInstanceOf(DestinationLimits.Queued.class);
        assertThat(limits.acquireOrQueue("a", permit -> { })).isInstanceOf(DestinationLimits.Queued.class);
        assertThat(limits.acquireOrQueue("a", permit -> { })).as("2 per destination").isInstanceOf(DestinationLimits.NoRoom.class);
        assertThat(limits.acquireOrQueue("b", permit -> { })).isInstanceOf(DestinationLimits.Queued.class);
        assertThat(limits.acquireOrQueue("b", permit -> { })).as("3 in all").isInstanceOf(DestinationLimits.NoRoom.class);
        assertThat(limits.acquireOrQueue("c", permit -> { })).as("a free destination still goes at once")
            .isInstanceOf(DestinationLimits.Now.class);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
