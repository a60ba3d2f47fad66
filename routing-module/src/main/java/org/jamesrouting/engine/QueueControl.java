package org.jamesrouting.engine;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.Mail;
import org.jamesrouting.bounce.Bouncer;
import org.jamesrouting.delivery.DeliveryAttributes;
import org.jamesrouting.delivery.RecipientOutcome;
import org.jamesrouting.route.RoutingTable;
import org.jamesrouting.route.RoutingTables;
import org.jamesrouting.schedule.DestinationPolicy;
import org.jamesrouting.schedule.QueueEntryTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's hand on the queue (Postfix's postsuper, Exim's -M options, Exchange's
 * Suspend-Queue and Remove-Message): hold and release a destination or one message, retry now, bounce
 * (one DSN to the sender, "removed by the operator") or delete (no DSN, logged) a message or
 * all the mail of a destination. Acts on the outgoing queue, on mail waiting in memory for its
 * turn ({@link MemoryWaits}: taken out of its wait) and on held mail; a message being delivered
 * at this moment is left alone and reported as busy (as is waiting mail for "retry": it goes now).
 */
public final class QueueControl {
    private static final Logger LOGGER = LoggerFactory.getLogger(QueueControl.class);
    /** The status and text of a recipient removed from the queue by the operator, in the DSN. */
    static final String REMOVED_STATUS = "5.0.0";
    static final String REMOVED_TEXT = "removed from the queue by the mail administrator";

    /** What an action did: the mails it acted on, and those being delivered right now and left alone. */
    public record Result(List<String> done, List<String> busy) {
    }

    /** Which mail an action is for: one message by name, or all the mail of a destination. */
    public record Selector(Optional<String> message, Optional<String> destination) {
        public static Selector message(String name) {
            return new Selector(Optional.of(name), Optional.empty());
        }

        public static Selector destination(String destination) {
            return new Selector(Optional.empty(), Optional.of(destination));
        }

        /** {@code policy}: whether a selected MX set holds the mail's destination. */
        boolean queued(Mail mail, String mailDestination, DestinationPolicy policy) {
            return message.map(mail.getName()::equals).orElse(false)
                || destination.filter(selected -> policy.selects(selected, mailDestination)).isPresent();
        }

        boolean waiting(MemoryWaits.Entry entry, DestinationPolicy policy) {
            return message.map(entry.name()::equals).orElse(false)
                || destination.filter(selected -> policy.selects(selected, entry.destination())).isPresent();
        }

        boolean held(HeldMail.Entry entry) {
            return message.map(entry.name()::equals).orElse(false) || destination.map(entry.heldFor()::equals).orElse(false);
        }
    }

    private final Running running;
    private final ManageableMailQueue queue;
    private final HeldMail held;
    private final Bouncer bouncer;
    private final RoutingTables tables;
    private final MemoryWaits waits;
    private final QueueEntryTracker entries;

    QueueControl(Running running, ManageableMailQueue queue, HeldMail held, Bouncer bouncer, RoutingTables tables, MemoryWaits waits,
                 QueueEntryTracker entries) {
        this.waits = waits;
        this.entries = entries;
        this.running = running;
        this.queue = queue;
        this.held = held;
        this.bouncer = bouncer;
        this.tables = tables;
    }

    public HeldMail held() {
        return held;
    }

    /**
     * Puts a destination on hold; its queued mail (all of whose recipients go there) is moved to
     * hold now, mail with other recipients too when it is next tried.
     */
    public Result holdDestination(String destination, String reason) throws Exception {
        held.holdDestination(destination, reason);
        return moveToHold(Selector.destination(destination), destination, reason);
    }

    /** Takes a destination off hold: its held mail is queued for delivery now. */
    public Result releaseDestination(String destination) throws Exception {
        return new Result(held.releaseDestination(destination, queue), List.of());
    }

    /** Holds one queued message until it is released by name. */
    public Result holdMessage(String name, String reason) throws Exception {
        return moveToHold(Selector.message(name), HeldMail.MESSAGE, reason);
    }

    /** Releases held mail by name (held for a destination still on hold or by itself). */
    public Result releaseMessage(String name) throws Exception {
        return new Result(held.release(entry -> entry.name().equals(name), queue), List.of());
    }

    /**
     * Sends queued mail now rather than at its next retry (Postfix's {@code postqueue -i},
     * Exim's {@code -M}): each is queued again without delay under a new name, then its old entry
     * removed, so a crash in between means one extra delivery, never a lost mail. A message being
     * delivered at this moment is reported busy (its copy goes out too, or finds it done).
     *
     * @return the new names (done), and the old names of the mail being delivered (busy)
     */
    public Result retry(Selector selector) throws Exception {
        List<String> done = new ArrayList<>();
        List<String> busy = waitingMatching(selector);
        for (Mail mail : queuedMatching(selector)) {
            MailImpl copy = MailImpl.duplicate(mail);
            try {
                queue.enQueue(copy);
                if (queue.remove(ManageableMailQueue.Type.Name, mail.getName()) == 0) {
                    LOGGER.info("Retry of {}: it is being delivered now; its copy {} will find it done or go out once more", mail.getName(),
                        copy.getName());
                    busy.add(mail.getName());
                } else {
                    done.add(copy.getName());
                }
            } finally {
                LifecycleUtil.dispose(copy);
                LifecycleUtil.dispose(mail);
            }
        }
        if (!done.isEmpty()) {
            LOGGER.info("Queued {} mail(s) for delivery now at the operator's request: {}", done.size(), done);
        }
        return new Result(done, busy);
    }

    /** One DSN per message to its sender ({@value #REMOVED_TEXT}), and the mail leaves the queue or hold. */
    public Result bounce(Selector selector) throws Exception {
        return remove(selector, mail -> {
            Instant now = Instant.now();
            Instant first = AttributeUtils.getValueAndCastFromMail(mail, DeliveryAttributes.FIRST_ATTEMPT, Long.class)
                .map(Instant::ofEpochMilli).orElse(now);
            List<RecipientOutcome> removed = mail.getRecipients().stream()
                .map(recipient -> new RecipientOutcome(recipient.asString(), RecipientOutcome.Kind.PERMANENT, REMOVED_STATUS, REMOVED_TEXT,
                    Optional.empty(), false))
                .toList();
            bouncer.bounceOrPark(mail, removed, first, now);
            LOGGER.info("Bounced {} from {} for {} at the operator's request", mail.getName(), mail.getMaybeSender().asString("<>"),
                Bouncer.recipients(removed));
        });
    }

    /** The mail leaves the queue or hold without a DSN (logged). */
    public Result delete(Selector selector) throws Exception {
        return remove(selector, mail -> LOGGER.info("Deleted {} from {} for {} at the operator's request (no DSN)", mail.getName(),
            mail.getMaybeSender().asString("<>"), mail.getRecipients()));
    }

    private Result remove(Selector selector, HeldMail.MailAction action) throws Exception {
        List<String> done = new ArrayList<>();
        List<String> busy = new ArrayList<>();
        takeWaiting(selector, mail -> {
            action.apply(mail);
            return mail.getName();
        }, done, busy);
        for (Mail mail : queuedMatching(selector)) {
            try {
                if (queue.remove(ManageableMailQueue.Type.Name, mail.getName()) == 0) {
                    busy.add(mail.getName());
                    continue;
                }
                action.apply(mail);
                done.add(mail.getName());
            } finally {
                LifecycleUtil.dispose(mail);
            }
        }
        done.addAll(held.take(selector::held, action));
        return new Result(done, busy);
    }

    private Result moveToHold(Selector selector, String heldFor, String reason) throws Exception {
        List<String> done = new ArrayList<>();
        List<String> busy = new ArrayList<>();
        takeWaiting(selector, mail -> held.keep(mail, mail.getRecipients().stream().map(Object::toString).toList(), heldFor, reason),
            done, busy);
        for (Mail mail : queuedMatching(selector)) {
            try {
                List<String> recipients = mail.getRecipients().stream().map(Object::toString).toList();
                String copy = held.keep(mail, recipients, heldFor, reason);
                if (queue.remove(ManageableMailQueue.Type.Name, mail.getName()) == 0) {
                    // being delivered now: not held; a deferral will find the destination on hold
                    held.take(entry -> entry.name().equals(copy), any -> { });
                    busy.add(mail.getName());
                } else {
                    done.add(copy);
                }
            } finally {
                LifecycleUtil.dispose(mail);
            }
        }
        return new Result(done, busy);
    }

    /** A queued mail, with the destination the router would send it to. */
    public interface QueuedVisitor {
        void visit(ManageableMailQueue.MailQueueItemView view, String destination) throws Exception;
    }

    /** Each queued mail, in queue order, with its destination as status and holds name it. */
    public void browse(QueuedVisitor visitor) throws Exception {
        RoutingTable table = tables.current();
        ManageableMailQueue.MailQueueIterator iterator = queue.browse();
        try {
            while (iterator.hasNext()) {
                ManageableMailQueue.MailQueueItemView view = iterator.next();
                visitor.visit(view, running.destinationOf(table, view.getMail()));
            }
        } finally {
            iterator.close();
        }
    }

    /** What an action does with a mail; returns the name the result lists (the held copy's for a hold). */
    private interface WaitingAction {
        String apply(Mail mail) throws Exception;
    }

    /**
     * Takes the waiting mail the selector selects out of their waits and acts on each: its queue
     * entry is acknowledged once the action is done (given back to the queue if it fails). A mail
     * whose turn came meanwhile is being delivered: busy.
     */
    private void takeWaiting(Selector selector, WaitingAction action, List<String> done, List<String> busy) throws Exception {
        for (String name : waitingMatching(selector)) {
            Optional<org.apache.james.queue.api.MailQueue.MailQueueItem> item = waits.take(name);
            if (item.isEmpty()) {
                busy.add(name);
                continue;
            }
            Mail mail = item.get().getMail();
            try {
                done.add(action.apply(mail));
                item.get().done(org.apache.james.queue.api.MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
                entries.finished(name);
            } catch (Exception | Error e) {
                item.get().done(org.apache.james.queue.api.MailQueue.MailQueueItem.CompletionStatus.RETRY);
                entries.released(name);
                throw e;
            } finally {
                LifecycleUtil.dispose(mail);
            }
        }
    }

    /** The names of the mail waiting in memory that the selector takes. */
    private List<String> waitingMatching(Selector selector) {
        List<String> names = new ArrayList<>();
        waits.list().stream().filter(entry -> selector.waiting(entry, running.policy())).forEach(entry -> names.add(entry.name()));
        return names;
    }

    /** Copies of the queued mail that the selector takes (each to be disposed). */
    private List<Mail> queuedMatching(Selector selector) throws Exception {
        List<Mail> matching = new ArrayList<>();
        browse((view, destination) -> {
            Mail mail = view.getMail();
            if (selector.queued(mail, destination, running.policy())) {
                MailImpl copy = MailImpl.duplicate(mail);
                copy.setName(mail.getName()); // duplicate derives a new name; the queue knows this one
                matching.add(copy);
            }
        });
        return matching;
    }
}
