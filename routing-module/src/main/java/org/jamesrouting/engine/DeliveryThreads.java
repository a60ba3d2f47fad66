package org.jamesrouting.engine;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The delivery threads: a fixed pool whose threads take the next task from one shared queue,
 * so a task waits only while every thread is busy. (Reactor's bounded elastic scheduler, used
 * before, pins each task to one thread when all are in use — possibly the thread held for
 * minutes by a slow peer, while another thread idles; the concurrency of delivery then drops
 * to one without anyone seeing why.) Delayed tasks (rate-slot timers) share the same pool.
 */
final class DeliveryThreads {
    private DeliveryThreads() {
    }

    static Scheduler scheduler(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("at least one delivery thread, not " + threads);
        }
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = task -> {
            Thread thread = new Thread(task, "james-routing-delivery-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(threads, factory);
        executor.setRemoveOnCancelPolicy(true);
        return Schedulers.fromExecutorService(executor, "james-routing-delivery");
    }
}
