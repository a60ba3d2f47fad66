package org.jamesrouting.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;

import org.apache.james.queue.api.MailQueue;
import org.apache.mailet.Mail;
import org.jamesrouting.schedule.DestinationLimits;
import org.jamesrouting.schedule.RateShaper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Mail taken from the outgoing queue that waits in memory rather than by another trip through
 * the durable queue: for the rate slot of a shaped destination ({@link RateShaper}), or for a
 * delivery slot of a destination at its concurrency limit ({@link DestinationLimits}). Its queue
 * entry stays unacknowledged meanwhile, so a crash gives it back and nothing is lost; it is off
 * the delivery threads. Each waiting mail is listed for the operator's queue view, and the
 * operator's actions can {@link #take} it out of its wait (its turn then passes to the next).
 */
public final class MemoryWaits {
    private static final Logger LOGGER = LoggerFactory.getLogger(MemoryWaits.class);

    /** A mail waiting in memory: for what ({@code waitsFor}) and since when. */
    public record Entry(String name, String sender, List<String> recipients, String destination, String waitsFor, Instant since) {
    }

    /** Goes on with a mail that waited, with what it waited for. */
    interface Resume {
        void resume(MailQueue.MailQueueItem item, DeliveryPass.Reserved reserved);
    }

    private final Scheduler scheduler;
    private final Clock clock;
    private final RateShaper shaper;
    private final DestinationLimits limits;
    private final Resume resume;
    /** A waiting mail's entry and queue item; whoever removes it from {@link #entries} first has the item. */
    private record Waiting(Entry entry, MailQueue.MailQueueItem item) {
    }

    private final Map<String, Waiting> entries = new ConcurrentHashMap<>();
    private final Disposable.Composite timers = Disposables.composite();

    MemoryWaits(Scheduler scheduler, Clock clock, RateShaper shaper, DestinationLimits limits, Resume resume) {
        this.scheduler = scheduler;
        this.clock = clock;
        this.shaper = shaper;
        this.limits = limits;
        this.resume = resume;
    }

    /** The mail waits until its last rate slot, then goes on with them. */
    void forRateSlots(MailQueue.MailQueueItem item, Map<String, Instant> slots) {
        Instant until = slots.values().stream().max(Instant::compareTo).orElseThrow();
        Mail mail = item.getMail();
        entries.put(mail.getName(), new Waiting(entry(mail, String.join(" + ", slots.keySet()), "its rate slot at " + until), item));
        Duration delay = Duration.between(clock.instant(), until);
        Disposable[] timer = new Disposable[1];
        timer[0] = Mono.delay(delay.isNegative() ? Duration.ZERO : delay, scheduler)
            .doFinally(signal -> {
                if (timer[0] != null) {
                    timers.remove(timer[0]);
                }
            })
            .subscribe(any -> {
                slots.keySet().forEach(shaper::arrived);
                if (entries.remove(mail.getName()) != null) { // else the operator took it
                    resume.resume(item, DeliveryPass.Reserved.slots(slots));
                }
            }, error -> LOGGER.error("Outbound router: waiting for the rate slot of {} failed; the queue gives it back at restart",
                mail.getName(), error));
        timers.add(timer[0]);
        if (timer[0].isDisposed()) {
            timers.remove(timer[0]); // over before it was added
        }
    }

    /**
     * The mail waits for a delivery slot of the destination, handed to it when a delivery there
     * ends (or now, when one is free already).
     *
     * @return false when there is no room to wait in memory: the mail waits in the durable queue
     */
    boolean forDeliverySlot(MailQueue.MailQueueItem item, String destination) {
        Mail mail = item.getMail();
        entries.put(mail.getName(), new Waiting(entry(mail, destination, "a delivery slot (at most " + limits.perDestination() + " at once)"),
            item));
        DestinationLimits.Turn turn = limits.acquireOrQueue(destination, permit -> goOn(item, destination, permit));
        if (turn instanceof DestinationLimits.Now now) {
            goOn(item, destination, now.permit());
            return true;
        }
        if (turn instanceof DestinationLimits.NoRoom) {
            return entries.remove(mail.getName()) == null; // true: the operator took it meanwhile, it is theirs
        }
        return true;
    }

    private void goOn(MailQueue.MailQueueItem item, String destination, DestinationLimits.Permit permit) {
        if (entries.remove(item.getMail().getName()) == null) {
            permit.close(); // the operator took the mail: the slot goes to the next
            return;
        }
        try {
            scheduler.schedule(() -> resume.resume(item, DeliveryPass.Reserved.permit(destination, permit)));
        } catch (RejectedExecutionException stopped) {
            permit.close(); // the router stops: the queue gives the mail back at restart
        }
    }

    private Entry entry(Mail mail, String destination, String waitsFor) {
        return new Entry(mail.getName(), mail.getMaybeSender().asString("<>"),
            mail.getRecipients().stream().map(Object::toString).toList(), destination, waitsFor, clock.instant());
    }

    /** The mail waiting in memory now, longest waiting first. */
    public List<Entry> list() {
        return entries.values().stream().map(Waiting::entry).sorted(Comparator.comparing(Entry::since)).toList();
    }

    boolean contains(String name) {
        return entries.containsKey(name);
    }

    /**
     * Takes a mail out of its wait for the operator's action: its queue item, unacknowledged, is
     * the caller's. Empty when it is not waiting (any more): its turn came, it is being delivered.
     */
    Optional<MailQueue.MailQueueItem> take(String name) {
        return Optional.ofNullable(entries.remove(name)).map(Waiting::item);
    }

    void stop() {
        timers.dispose();
    }
}
