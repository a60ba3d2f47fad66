package org.jamesrouting.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

import javax.inject.Inject;
import javax.inject.Singleton;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.jamesrouting.bounce.Bouncer;
import org.jamesrouting.delivery.DeliveryAttributes;
import org.jamesrouting.delivery.RecipientOutcome;
import org.jamesrouting.schedule.AfterAttempt;
import org.jamesrouting.route.RoutingTables;
import org.jamesrouting.schedule.QueueEntryTracker;
import org.jamesrouting.schedule.RateShaper;
import org.jamesrouting.schedule.RetrySchedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * The outbound engine, one per server (a Guice singleton): the OutboundRouter mailet hands it
 * the mail, webadmin and the CLI read and steer it. Started by the mailet with its parameters
 * ({@link RouterSetup}); until then, and on a server whose mailet container has no
 * OutboundRouter, {@link #running()} is empty.
 *
 * <p>A message's way: a first attempt on the spool thread when a slot is free (else straight to
 * the durable {@code outgoing} queue); from the queue, delivery threads take it; each attempt is
 * a {@link DeliveryPass}, after which {@link AfterAttempt} decides what is queued again and who
 * gets a DSN ({@link Bouncer}).
 */
@Singleton
public class OutboundEngine {
    private static final Logger LOGGER = LoggerFactory.getLogger(OutboundEngine.class);
    public static final AttributeName FIRST_ATTEMPT = DeliveryAttributes.FIRST_ATTEMPT;
    public static final AttributeName ATTEMPTS = DeliveryAttributes.ATTEMPTS;
    /** How long mail for a destination at its concurrency limit waits before it is dequeued again. */
    static final Duration LIMIT_WAIT = Duration.ofSeconds(2);

    private final MailQueueFactory<?> queueFactory;
    private final RouterSetup setup;
    private final Clock clock = Clock.systemUTC();

    private volatile Running running;
    private volatile Parts parts;
    /** Set when the server stops: a dequeue interrupted by the stop is not an error. */
    private volatile boolean stopping;
    private Scheduler scheduler;
    private Scheduler dequeueScheduler;
    private Disposable dequeuing;
    private Disposable idleReaper;
    private Disposable holdsLifted;
    private Disposable tlsReportClock;

    /** What a started engine works with. */
    private record Parts(Running view, MailQueue queue, DeliveryPass pass, Bouncer bouncer, Optional<OutboundArchive> archive,
                         Optional<Semaphore> immediateSlots, QueueEntryTracker entries, MailetContext context, QueueControl control,
                         MemoryWaits waits) {
        HeldMail held() {
            return control.held();
        }
    }

    private final RoutingTables tables;

    @Inject
    public OutboundEngine(MailQueueFactory<?> queueFactory, RouterSetup setup, RoutingTables tables) {
        this.queueFactory = queueFactory;
        this.setup = setup;
        this.tables = tables;
    }

    /** The parameters {@link #start} knows. */
    public static Set<String> parameterNames() {
        return RouterSetup.PARAMETERS;
    }

    /** The running router, for the operator's views; empty until the OutboundRouter mailet has started it. */
    public Optional<Running> running() {
        return Optional.ofNullable(running);
    }

    /** The mail waiting in memory for a rate or delivery slot (its queue entry unacknowledged); empty until started. */
    public List<MemoryWaits.Entry> waitingInMemory() {
        Parts current = parts;
        return current == null ? List.of() : current.waits().list();
    }

    /** The operator's hand on the queue (hold, release, bounce, delete); empty until started. */
    public Optional<QueueControl> control() {
        return Optional.ofNullable(parts).map(Parts::control);
    }

    /**
     * Starts delivering with these settings (the OutboundRouter mailet's parameters).
     *
     * @throws MessagingException naming the parameter and the problem
     * @throws IllegalStateException when already started (one OutboundRouter per server)
     */
    public synchronized void start(Function<String, Optional<String>> parameters, MailetContext context) throws MessagingException {
        if (parts != null) {
            throw new IllegalStateException("the outbound engine is already running: one OutboundRouter mailet per server");
        }
        RouterSetup.Built built;
        try {
            built = setup.build(parameters, context, clock);
        } catch (IllegalArgumentException e) {
            throw new MessagingException("Mailet OutboundRouter in mailetcontainer.xml: " + e.getMessage(), e);
        }
        Running view = built.view();
        MailQueue queue = queueFactory.createQueue(MailQueueName.of(view.configuration().outgoingQueue()));
        if (!(queue instanceof ManageableMailQueue manageable)) {
            throw new MessagingException("Mailet OutboundRouter: queue " + view.configuration().outgoingQueue()
                + " cannot be browsed (" + queue.getClass().getName() + "); the router needs a manageable mail queue");
        }
        try {
            built.held().recover(manageable);
        } catch (Exception e) {
            throw new MessagingException("Outbound router: cannot finish the releases from hold interrupted by the last stop ("
                + built.held().repositoryName() + "): " + e.getMessage(), e);
        }
        int immediate = view.configuration().immediateDeliveries();
        stopping = false;
        scheduler = DeliveryThreads.scheduler(view.configuration().deliveryThreads());
        MemoryWaits waits = new MemoryWaits(scheduler, clock, view.shaper(), view.limits(), this::resume);
        QueueEntryTracker entries = new QueueEntryTracker(100_000);
        parts = new Parts(view, queue, built.pass(), built.bouncer(), built.archive(),
            immediate > 0 ? Optional.of(new Semaphore(immediate)) : Optional.empty(), entries, context,
            new QueueControl(view, manageable, built.held(), built.bouncer(), tables, waits, entries), waits);
        startDequeuing(parts);
        running = view;
    }

    /** A mail that waited in memory goes on (unless the router has stopped meanwhile: the queue gives it back at restart). */
    private void resume(MailQueue.MailQueueItem item, DeliveryPass.Reserved reserved) {
        Parts current = parts;
        if (current == null) {
            reserved.permits().values().forEach(org.jamesrouting.schedule.DestinationLimits.Permit::close);
            return;
        }
        process(current, item, reserved);
    }

    private void startDequeuing(Parts parts) {
        Running view = parts.view();
        int threads = view.configuration().deliveryThreads();
        dequeueScheduler = Schedulers.newSingle("james-routing-dequeue");
        // James's JMS queue (queue.implementation=activemq) polls on the subscribing thread:
        // never James's start-up thread (our disk queue has its own taking thread; the same holds).
        // Every receive from the queue on the one dequeue thread (requests included: without
        // "requestOnSeparateThread" James's JMS queue would poll, for up to 10 s, on whichever
        // delivery thread asked for more); a failure to dequeue is logged and retried, never the
        // end of outbound delivery.
        Flux<MailQueue.MailQueueItem> items = Flux.from(parts.queue().deQueue())
            .subscribeOn(dequeueScheduler, true)
            .doOnError(error -> {
                if (stopping) {
                    LOGGER.debug("Outbound router: dequeue interrupted by the server's stop", error);
                } else {
                    LOGGER.error("Outbound router: cannot take mail from queue {}; trying again in 1 s", view.configuration().outgoingQueue(), error);
                }
            })
            .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, Duration.ofSeconds(1)));
        dequeuing = items
            .flatMap(item -> Mono.fromRunnable(() -> process(parts, item, DeliveryPass.Reserved.NONE)).subscribeOn(scheduler)
                .onErrorResume(error -> {
                    LOGGER.error("Outbound router: unexpected error while delivering", error);
                    return Mono.empty();
                }), threads)
            .subscribe(any -> { }, error -> LOGGER.error("Outbound router: delivery stopped", error));
        idleReaper = Flux.interval(Duration.ofSeconds(5)).subscribe(tick -> view.pool().closeIdle());
        holdsLifted = Flux.interval(Duration.ofSeconds(1)).subscribe(tick -> releaseLiftedHolds(parts));
        tlsReportClock = Flux.interval(Duration.ZERO, Duration.ofMinutes(1)).subscribe(tick -> {
            try {
                view.tlsReports().sendDue();
            } catch (RuntimeException e) {
                LOGGER.error("Outbound router: the TLS reports of the day could not be sent", e);
            }
        });
    }

    /**
     * A hold lifted on another node of a cluster (the shared holds changed): this node's mail
     * held for it is queued for delivery, as the release there did for that node's.
     */
    private void releaseLiftedHolds(Parts parts) {
        for (String destination : parts.control().held().holds().releasedElsewhere()) {
            try {
                List<String> released = parts.control().releaseDestination(destination).done();
                LOGGER.info("{} was released from hold on another node: {} mail(s) held here released", destination, released.size());
            } catch (Exception e) {
                LOGGER.error("{} was released from hold on another node, but the mail held here for it could not be released; "
                    + "release it here (queue release)", destination, e);
            }
        }
    }

    /** Takes a message from the mailet: tried at once on this (spool) thread when a slot is free, else queued. */
    public void accept(Mail mail) throws MessagingException {
        Parts parts = started();
        if (mail.getRecipients().isEmpty()) {
            return;
        }
        if (mail.getAttribute(FIRST_ATTEMPT).isEmpty()) {
            mail.setAttribute(new Attribute(FIRST_ATTEMPT, AttributeValue.of(clock.millis())));
        }
        boolean firstAttempt = mail.getAttribute(ATTEMPTS).isEmpty();
        Optional<Semaphore> slot = parts.immediateSlots().filter(slots -> firstAttempt && slots.tryAcquire());
        if (slot.isEmpty()) {
            parts.queue().enQueue(mail);
            return;
        }
        try {
            deliverFromSpool(parts, mail);
        } finally {
            slot.get().release();
        }
    }

    private Parts started() {
        Parts current = parts;
        if (current == null) {
            throw new IllegalStateException("the outbound engine is not started");
        }
        return current;
    }

    /**
     * The first attempt, right here on the spool thread: the mail stays in the spool (James
     * acknowledges it only once this returns), and only what is not delivered now — deferred,
     * or for a destination that is full or deferring — goes on to the outgoing queue. This saves
     * every message delivered at once a second durable enqueue and dequeue.
     */
    private void deliverFromSpool(Parts parts, Mail mail) throws MessagingException {
        try {
            handle(parts, mail, Optional.empty(), DeliveryPass.Reserved.NONE);
        } catch (Exception e) {
            LOGGER.error("Outbound router: the first attempt of {} failed unexpectedly; it goes to queue {}", mail.getName(),
                parts.view().configuration().outgoingQueue(), e);
            parts.entries().released(mail.getName());
            parts.queue().enQueue(mail);
        }
    }

    /**
     * One attempt at a queue entry. The entry is acknowledged when the attempt is over, unless
     * the mail only waits — for rate slots near enough, or for a delivery slot of a destination
     * at its limit: then it waits in memory ({@link MemoryWaits}), off the delivery threads and
     * unacknowledged (a crash gives it back), and is attempted again when its turn comes.
     *
     * @param reserved what it waited for, when it did
     */
    private void process(Parts parts, MailQueue.MailQueueItem item, DeliveryPass.Reserved reserved) {
        Mail mail = item.getMail();
        boolean waiting = false;
        try {
            waiting = handle(parts, mail, Optional.of(item), reserved);
            if (!waiting) {
                item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
            }
        } catch (Exception | Error e) {
            parts.entries().released(mail.getName());
            new PoisonHandling(parts.view().configuration().poison(), parts.queue(), setup.repositories(),
                parts.bouncer().poisonRepository()).failed(item, mail, e);
        } finally {
            if (!waiting) {
                LifecycleUtil.dispose(mail);
            }
        }
    }

    /**
     * @param item the queue entry, for mail from the queue (empty: a first attempt from the spool, which never waits in memory)
     * @return whether the mail waits in memory, left as it is
     */
    private boolean handle(Parts parts, Mail mail, Optional<MailQueue.MailQueueItem> item, DeliveryPass.Reserved reserved)
        throws MessagingException {
        boolean fromSpool = item.isEmpty();
        int previousAttempts = AttributeUtils.getValueAndCastFromMail(mail, ATTEMPTS, Integer.class).orElse(0);
        if (reserved.isEmpty() && !parts.entries().claim(mail.getName(), previousAttempts)) {
            LOGGER.info("Dropped a duplicate queue entry of {} (attempt {}): already handled or being handled",
                mail.getName(), previousAttempts + 1);
            return false;
        }
        parts.held().releasedMailTaken(mail);
        DeliveryPass.Outcome outcome = parts.pass().run(mail, fromSpool, previousAttempts == 0, reserved);
        if (item.isPresent() && outcome.onlyWaitsForSlots()) {
            LOGGER.debug("{} waits in memory for its rate slot(s) {}", mail.getName(), outcome.slots());
            parts.waits().forRateSlots(item.get(), outcome.slots());
            return true;
        }
        Optional<String> full = item.isPresent() ? outcome.onlyWaitsForOneDestination() : Optional.empty();
        if (full.isPresent()) {
            if (parts.waits().forDeliverySlot(item.get(), full.get())) {
                LOGGER.debug("{} waits in memory for a delivery slot of {}", mail.getName(), full.get());
                return true;
            }
            LOGGER.info("{} is at its limit ({} deliveries at once) and {} mails wait for it in memory already: {} waits in the queue",
                full.get(), parts.view().limits().perDestination(), org.jamesrouting.schedule.DestinationLimits.QUEUED_PER_DESTINATION,
                mail.getName());
        }
        outcome.slots().keySet().forEach(parts.view().shaper()::arrived);
        AfterAttempt.Pass pass = keepHeld(parts, mail, outcome);
        if (!pass.delivered().isEmpty()) {
            parts.archive().ifPresent(copies -> copies.copy(mail, pass.delivered(), parts.context()));
        }
        Instant now = clock.instant();
        Instant first = AttributeUtils.getValueAndCastFromMail(mail, FIRST_ATTEMPT, Long.class).map(Instant::ofEpochMilli).orElse(now);
        RetrySchedule retries = parts.view().configuration().retries();
        AfterAttempt.Verdict verdict = AfterAttempt.decide(pass, previousAttempts, first, now, fromSpool, retries,
            outcome.waitingRetry(LIMIT_WAIT),
            mail.getAttribute(DeliveryAttributes.DELAY_NOTICE_SENT).isPresent());
        List<RecipientOutcome> relayed = pass.delivered().stream().filter(delivered -> !delivered.dsnPassedOn()).toList();
        if (!relayed.isEmpty()) {
            parts.bouncer().tellRelayed(mail, relayed, first, now);
        }
        if (verdict.delayNotice().isPresent()) {
            AfterAttempt.DelayNotice notice = verdict.delayNotice().get();
            parts.bouncer().tellDelayed(mail, notice.recipients(), first, now, notice.retryUntil());
            mail.setAttribute(new Attribute(DeliveryAttributes.DELAY_NOTICE_SENT, AttributeValue.of(true)));
        }
        if (!verdict.gaveUp().isEmpty()) {
            LOGGER.info("Giving up on {} for {} after {} attempt(s) since {}", mail.getName(), Bouncer.recipients(verdict.gaveUp()),
                previousAttempts + 1, first);
        }
        if (verdict.requeue().isPresent()) {
            requeue(parts, mail, verdict.requeue().get());
        }
        if (!verdict.bounce().isEmpty()) {
            parts.bouncer().bounceOrPark(mail, verdict.bounce(), first, now);
        }
        if (verdict.finished()) {
            parts.entries().finished(mail.getName());
        }
        return false;
    }

    /**
     * Keeps the recipients for destinations on hold in held mail; those whose destination was
     * released meanwhile wait for the next try with the recipients not tried.
     */
    private static AfterAttempt.Pass keepHeld(Parts parts, Mail mail, DeliveryPass.Outcome outcome) throws MessagingException {
        AfterAttempt.Pass pass = outcome.pass();
        List<RecipientOutcome> waiting = new ArrayList<>(pass.waiting());
        for (Map.Entry<String, List<String>> held : outcome.held().entrySet()) {
            Optional<String> kept = parts.held().keepIfHeld(mail, held.getValue(), held.getKey());
            if (kept.isPresent()) {
                parts.entries().forget(kept.get());
            } else {
                held.getValue().forEach(recipient -> waiting.add(new RecipientOutcome(recipient, RecipientOutcome.Kind.TEMPORARY, "4.4.5",
                    "waiting: its destination was released from hold", Optional.empty(), false)));
            }
        }
        return waiting.size() == pass.waiting().size() ? pass
            : new AfterAttempt.Pass(pass.delivered(), pass.deferred(), pass.failed(), waiting, pass.rules());
    }

    private void requeue(Parts parts, Mail mail, AfterAttempt.Requeue requeue) throws MessagingException {
        List<MailAddress> recipients = new ArrayList<>();
        for (RecipientOutcome outcome : requeue.recipients()) {
            recipients.add(new MailAddress(outcome.recipient()));
        }
        RecipientOutcome firstOutcome = requeue.recipients().get(0);
        if (requeue.greylisted()) {
            LOGGER.info("{} looks greylisted by the remote server: next try in {} rather than on the long schedule", mail.getName(),
                requeue.delay());
        }
        mail.setRecipients(recipients);
        mail.setAttribute(new Attribute(ATTEMPTS, AttributeValue.of(requeue.attempts())));
        mail.setErrorMessage(firstOutcome.status() + " " + firstOutcome.diagnostic());
        parts.entries().requeued(mail.getName(), requeue.attempts());
        if (requeue.delay().isZero()) {
            // without a delay: James's JMS queue gives it to the consumer waiting now (a
            // zero delay would be a due time after that consumer's selector, seen up to 10 s
            // later); to our disk queue both are the same
            parts.queue().enQueue(mail);
        } else {
            parts.queue().enQueue(mail, requeue.delay());
        }
        LOGGER.info("Deferred {} for {} (attempt {}): {}; next try in {}", mail.getName(), Bouncer.recipients(requeue.recipients()),
            requeue.attempts(), firstOutcome.diagnostic(), requeue.delay());
    }

    /** Stops taking mail from the queue and closes the connections kept open. */
    public synchronized void stop() {
        stopping = true;
        running = null;
        if (dequeuing != null) {
            dequeuing.dispose();
        }
        if (holdsLifted != null) {
            holdsLifted.dispose();
        }
        if (tlsReportClock != null) {
            tlsReportClock.dispose();
        }
        if (idleReaper != null) {
            idleReaper.dispose();
        }
        if (parts != null) {
            parts.waits().stop();
            parts.view().pool().close();
        }
        if (scheduler != null) {
            scheduler.dispose();
        }
        if (dequeueScheduler != null) {
            dequeueScheduler.dispose();
        }
        parts = null;
    }
}
