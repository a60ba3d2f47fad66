package org.jamesrouting.engine;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepository;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.jamesrouting.delivery.DeliveryAttributes;
import org.jamesrouting.schedule.Holds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mail on hold, as Postfix's hold queue: copies kept in a mail repository ({@code heldRepository},
 * a {@code file://} one survives {@code kill -9}), not attempted and not ageing until released.
 * Held either for a destination on hold ({@link Holds}) or, one message, by the operator.
 *
 * <p>Release is exactly once, a crash included: the held copy is first marked released, then
 * queued, then removed; the router removes a released copy before it delivers the mail, and at
 * start {@link #recover} finishes a release a crash interrupted (queued already: the copy goes;
 * not yet: it is queued).
 *
 * <p>Holding and releasing a destination, and keeping mail for it, take one lock: mail is never
 * kept for a destination released a moment before.
 */
public final class HeldMail {
    private static final Logger LOGGER = LoggerFactory.getLogger(HeldMail.class);
    /** {@code heldFor} of a message the operator held by name. */
    public static final String MESSAGE = "message";

    /** One held mail, as the queue view shows it. */
    public record Entry(String name, String sender, List<String> recipients, String heldFor, String since, String reason,
                        String firstAttempt, int attempts) {
    }

    private final MailRepository repository;
    private final String repositoryName;
    private final Holds holds;
    private final Clock clock;

    HeldMail(MailRepository repository, String repositoryName, Holds holds, Clock clock) {
        this.repository = repository;
        this.repositoryName = repositoryName;
        this.holds = holds;
        this.clock = clock;
    }

    public String repositoryName() {
        return repositoryName;
    }

    public Holds holds() {
        return holds;
    }

    /** The name of the held copy of {@code mail} for {@code heldFor}: the same each time, so keeping it twice keeps one. */
    static String heldName(Mail mail, String heldFor) {
        return originalName(mail) + "-held-" + Integer.toHexString(heldFor.hashCode());
    }

    /** The name the mail had before it was first held (held copies are renamed). */
    private static String originalName(Mail mail) {
        return AttributeUtils.getValueAndCastFromMail(mail, DeliveryAttributes.ORIGINAL_NAME, String.class).orElse(mail.getName());
    }

    /**
     * Keeps a copy of the mail for these recipients while {@code destination} is on hold.
     *
     * @return the held copy's name; empty when the destination is no longer on hold (released meanwhile)
     */
    synchronized Optional<String> keepIfHeld(Mail mail, List<String> recipients, String destination) throws MessagingException {
        Optional<Holds.Hold> hold = holds.holdOf(destination);
        if (hold.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(keep(mail, recipients, destination, hold.get().reason()));
    }

    /** Keeps a copy of the mail for these recipients, held for {@code heldFor}. */
    synchronized String keep(Mail mail, List<String> recipients, String heldFor, String reason) throws MessagingException {
        MailImpl copy = MailImpl.duplicate(mail);
        try {
            String name = heldName(mail, heldFor);
            copy.setName(name);
            List<MailAddress> addresses = new ArrayList<>();
            for (String recipient : recipients) {
                addresses.add(new MailAddress(recipient));
            }
            copy.setRecipients(addresses);
            copy.setAttribute(new Attribute(DeliveryAttributes.ORIGINAL_NAME, AttributeValue.of(originalName(mail))));
            copy.setAttribute(new Attribute(DeliveryAttributes.HELD_FOR, AttributeValue.of(heldFor)));
            copy.setAttribute(new Attribute(DeliveryAttributes.HELD_SINCE, AttributeValue.of(clock.millis())));
            copy.setAttribute(new Attribute(DeliveryAttributes.HELD_REASON, AttributeValue.of(reason)));
            copy.removeAttribute(DeliveryAttributes.RELEASED);
            repository.store(copy);
            LOGGER.info("Held {} for {} as {} ({}){}", mail.getName(), recipients, name, heldFor, reason.isEmpty() ? "" : ": " + reason);
            return name;
        } finally {
            LifecycleUtil.dispose(copy);
        }
    }

    /**
     * Puts a destination on hold.
     *
     * @return false if it was on hold already
     */
    synchronized boolean holdDestination(String destination, String reason) {
        return holds.hold(destination, reason, clock.instant());
    }

    /**
     * Takes a destination off hold and queues its held mail.
     *
     * @return the names of the mail queued
     */
    synchronized List<String> releaseDestination(String destination, MailQueue queue) throws Exception {
        holds.release(destination);
        return release(entry -> entry.heldFor().equals(destination), queue);
    }

    /** Queues the held mail that {@code which} selects, exactly once each; returns their names. */
    synchronized List<String> release(Predicate<Entry> which, MailQueue queue) throws Exception {
        List<String> released = new ArrayList<>();
        eachHeld((key, mail) -> {
            if (which.test(entryOf(mail))) {
                long heldSince = AttributeUtils.getValueAndCastFromMail(mail, DeliveryAttributes.HELD_SINCE, Long.class).orElse(clock.millis());
                AttributeUtils.getValueAndCastFromMail(mail, DeliveryAttributes.FIRST_ATTEMPT, Long.class).ifPresent(first ->
                    // the time on hold does not count towards maxAge
                    mail.setAttribute(new Attribute(DeliveryAttributes.FIRST_ATTEMPT,
                        AttributeValue.of(first + Math.max(0, clock.millis() - heldSince)))));
                mail.removeAttribute(DeliveryAttributes.HELD_FOR);
                mail.removeAttribute(DeliveryAttributes.HELD_SINCE);
                mail.removeAttribute(DeliveryAttributes.HELD_REASON);
                mail.setAttribute(new Attribute(DeliveryAttributes.RELEASED, AttributeValue.of(true)));
                repository.store(mail);
                queue.enQueue(mail);
                repository.remove(key);
                released.add(mail.getName());
            }
        });
        if (!released.isEmpty()) {
            LOGGER.info("Released {} held mail(s) into the queue: {}", released.size(), released);
        }
        return released;
    }

    /**
     * Takes the held mail that {@code which} selects out of hold, handing each to {@code action}
     * first (a DSN, a log line); a mail is removed only once its action has run.
     */
    synchronized List<String> take(Predicate<Entry> which, MailAction action) throws Exception {
        List<String> taken = new ArrayList<>();
        eachHeld((key, mail) -> {
            if (which.test(entryOf(mail))) {
                action.apply(mail);
                repository.remove(key);
                taken.add(mail.getName());
            }
        });
        return taken;
    }

    /** What is done with a mail taken out of hold or out of the queue. */
    public interface MailAction {
        void apply(Mail mail) throws Exception;
    }

    /**
     * The router took released mail from the queue: its held copy goes now, before the mail is
     * delivered. Under the lock of {@link #release}, which may still be removing that copy itself
     * (the queue hands the mail out as soon as it is queued).
     */
    synchronized void releasedMailTaken(Mail mail) throws MessagingException {
        if (mail.getAttribute(DeliveryAttributes.RELEASED).isEmpty()) {
            return;
        }
        repository.remove(new MailKey(mail.getName()));
        mail.removeAttribute(DeliveryAttributes.RELEASED);
    }

    /** Finishes the releases a crash interrupted. */
    synchronized void recover(ManageableMailQueue queue) throws Exception {
        eachHeld((key, mail) -> {
            if (mail.getAttribute(DeliveryAttributes.RELEASED).isPresent()) {
                if (!queued(queue, mail.getName())) {
                    queue.enQueue(mail);
                }
                repository.remove(key);
                LOGGER.info("Finished the release of {}, interrupted by a stop", mail.getName());
            }
        });
    }

    private static boolean queued(ManageableMailQueue queue, String name) throws Exception {
        ManageableMailQueue.MailQueueIterator iterator = queue.browse();
        try {
            while (iterator.hasNext()) {
                if (iterator.next().getMail().getName().equals(name)) {
                    return true;
                }
            }
            return false;
        } finally {
            iterator.close();
        }
    }

    public synchronized List<Entry> list() throws Exception {
        List<Entry> entries = new ArrayList<>();
        eachHeld((key, mail) -> entries.add(entryOf(mail)));
        return entries;
    }

    /** One held mail, read from the repository (disposed once visited). */
    private interface HeldVisitor {
        void visit(MailKey key, Mail mail) throws Exception;
    }

    /** Each held mail in turn; one removed meanwhile is passed over. */
    private void eachHeld(HeldVisitor visitor) throws Exception {
        List<MailKey> keys = new ArrayList<>();
        repository.list().forEachRemaining(keys::add);
        for (MailKey key : keys) {
            Mail mail = repository.retrieve(key);
            if (mail == null) {
                continue;
            }
            try {
                visitor.visit(key, mail);
            } finally {
                LifecycleUtil.dispose(mail);
            }
        }
    }

    private static Entry entryOf(Mail mail) {
        return new Entry(mail.getName(), mail.getMaybeSender().asString("<>"),
            mail.getRecipients().stream().map(MailAddress::asString).toList(),
            AttributeUtils.getValueAndCastFromMail(mail, DeliveryAttributes.HELD_FOR, String.class).orElse(""),
            AttributeUtils.getValueAndCastFromMail(mail, DeliveryAttributes.HELD_SINCE, Long.class).map(Instant::ofEpochMilli)
                .map(Instant::toString).orElse(null),
            AttributeUtils.getValueAndCastFromMail(mail, DeliveryAttributes.HELD_REASON, String.class).orElse(""),
            AttributeUtils.getValueAndCastFromMail(mail, DeliveryAttributes.FIRST_ATTEMPT, Long.class).map(Instant::ofEpochMilli)
                .map(Instant::toString).orElse(null),
            AttributeUtils.getValueAndCastFromMail(mail, DeliveryAttributes.ATTEMPTS, Integer.class).orElse(0));
    }
}
