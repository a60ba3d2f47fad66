package org.jamesrouting.bounce;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.mailrepository.api.MailRepositoryStore;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.jamesrouting.delivery.DsnRequests;
import org.jamesrouting.delivery.RecipientOutcome;
import org.jamesrouting.smtpclient.DsnRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the sender of mail that failed: one DSN (RFC 3464) for the recipients of
 * {@code failed} that asked for one (NOTIFY), sent back into James as a new mail from the null
 * sender. Mail from the null sender gets no DSN (no DSN for a DSN): it is kept in
 * {@code failedRepository}. When the DSN cannot be sent, a copy of the mail for the failed
 * recipients is parked in {@code poisonRepository} with the reason: no failure goes unsaid.
 */
public final class Bouncer {
    private static final Logger LOGGER = LoggerFactory.getLogger(Bouncer.class);

    private final MailRepositoryStore repositories;
    private final MailRepositoryUrl failedRepository;
    private final MailRepositoryUrl poisonRepository;
    private final String reportingMta;
    private final MailetContext context;

    /** @param reportingMta this server's name in the DSN (its EHLO name) */
    public Bouncer(MailRepositoryStore repositories, MailRepositoryUrl failedRepository, MailRepositoryUrl poisonRepository,
                   String reportingMta, MailetContext context) {
        this.repositories = repositories;
        this.failedRepository = failedRepository;
        this.poisonRepository = poisonRepository;
        this.reportingMta = reportingMta;
        this.context = context;
    }

    public MailRepositoryUrl poisonRepository() {
        return poisonRepository;
    }

    /** The DSN, or the failed-mail copy for a null sender; when neither can be done, the copy parked for the operator. */
    public void bounceOrPark(Mail mail, List<RecipientOutcome> failed, Instant first, Instant now) throws MessagingException {
        try {
            bounce(mail, failed, first, now);
        } catch (MessagingException | RuntimeException e) {
            MailImpl copy = copyFor(mail, failed);
            try {
                copy.setErrorMessage("failed for " + recipients(failed) + " (" + failed.get(0).status() + " " + failed.get(0).diagnostic()
                    + "), and the DSN could not be sent: " + e.getMessage());
                repositories.select(poisonRepository).store(copy);
                LOGGER.error("Outbound router: no DSN could be sent for {} ({}): parked in {}", mail.getName(), recipients(failed),
                    poisonRepository.asString(), e);
            } catch (MailRepositoryStore.MailRepositoryStoreException | RuntimeException parkFailure) {
                e.addSuppressed(parkFailure);
                throw e;
            } finally {
                LifecycleUtil.dispose(copy);
            }
        }
    }

    private void bounce(Mail mail, List<RecipientOutcome> failed, Instant first, Instant now) throws MessagingException {
        MaybeSender sender = mail.getMaybeSender();
        if (sender.isNullSender()) {
            MailImpl copy = copyFor(mail, failed);
            try {
                copy.setErrorMessage(failed.get(0).status() + " " + failed.get(0).diagnostic());
                repositories.select(failedRepository).store(copy);
                LOGGER.info("Failed {} for {} has a null sender (no DSN for a DSN): kept in {}", mail.getName(), recipients(failed),
                    failedRepository.asString());
            } catch (MailRepositoryStore.MailRepositoryStoreException e) {
                throw new MessagingException("cannot keep failed mail in " + failedRepository.asString(), e);
            } finally {
                LifecycleUtil.dispose(copy);
            }
            return;
        }
        DsnRequest request = DsnRequests.of(mail);
        List<RecipientOutcome> notified = failed.stream().filter(outcome -> request.wantsFailureNotice(outcome.recipient())).toList();
        if (notified.size() < failed.size()) {
            LOGGER.info("No DSN for {} of {}: the sender asked not to be notified of failures (NOTIFY)",
                recipients(failed.stream().filter(outcome -> !notified.contains(outcome)).toList()), mail.getName());
        }
        send(mail, DsnComposer.Action.FAILED, notified, request, Optional.empty(), first, now);
    }

    /**
     * Tells the sender the mail is still not delivered to these recipients and is still being
     * tried until {@code retryUntil} (those that did not ask NOTIFY without DELAY; never the null
     * sender). A notice that cannot be sent is logged: the mail itself is not affected.
     */
    public void tellDelayed(Mail mail, List<RecipientOutcome> waiting, Instant first, Instant now, Instant retryUntil) {
        notice(mail, DsnComposer.Action.DELAYED, waiting, first, now, Optional.of(retryUntil));
    }

    /**
     * Tells the sender these recipients' mail was handed to a next hop that does not offer DSN,
     * for those that asked NOTIFY=SUCCESS (RFC 3461 §6.2.3: the next hop will not tell).
     */
    public void tellRelayed(Mail mail, List<RecipientOutcome> relayed, Instant first, Instant now) {
        notice(mail, DsnComposer.Action.RELAYED, relayed, first, now, Optional.empty());
    }

    private void notice(Mail mail, DsnComposer.Action action, List<RecipientOutcome> outcomes, Instant first, Instant now,
                        Optional<Instant> retryUntil) {
        if (mail.getMaybeSender().isNullSender() || outcomes.isEmpty()) {
            return;
        }
        DsnRequest request = DsnRequests.of(mail);
        List<RecipientOutcome> notified = outcomes.stream().filter(outcome -> action == DsnComposer.Action.DELAYED
            ? request.wantsDelayNotice(outcome.recipient()) : request.wantsSuccessNotice(outcome.recipient())).toList();
        try {
            send(mail, action, notified, request, retryUntil, first, now);
        } catch (MessagingException | RuntimeException e) {
            LOGGER.error("Outbound router: the {} notice for {} ({}) could not be sent", action.field(),
                mail.getName(), recipients(notified), e);
        }
    }

    private void send(Mail mail, DsnComposer.Action action, List<RecipientOutcome> notified, DsnRequest request,
                      Optional<Instant> retryUntil, Instant first, Instant now) throws MessagingException {
        if (notified.isEmpty()) {
            return;
        }
        MaybeSender sender = mail.getMaybeSender();
        ZoneId zone = ZoneId.systemDefault();
        MimeMessage dsn = DsnComposer.compose(action, retryUntil.map(until -> ZonedDateTime.ofInstant(until, zone)), mail.getMessage(),
            sender.asString(), notified, request, reportingMta, context.getPostmaster().asString(), ZonedDateTime.ofInstant(first, zone),
            ZonedDateTime.ofInstant(now, zone));
        MailImpl dsnMail = MailImpl.builder()
            .name(mail.getName() + "-" + action.field() + "-dsn-" + now.toEpochMilli())
            .sender(MaybeSender.nullSender())
            .addRecipient(sender.get())
            .mimeMessage(dsn)
            .build();
        try {
            context.sendMail(dsnMail);
            LOGGER.info("DSN ({}) sent to {} for {} ({})", action.field(), sender.asString(),
                mail.getName(), recipients(notified));
        } finally {
            LifecycleUtil.dispose(dsnMail);
        }
    }

    /** A copy of the mail for the recipients of {@code outcomes} only. */
    public static MailImpl copyFor(Mail mail, List<RecipientOutcome> outcomes) throws MessagingException {
        MailImpl copy = MailImpl.duplicate(mail);
        List<MailAddress> recipients = new ArrayList<>();
        for (RecipientOutcome outcome : outcomes) {
            recipients.add(new MailAddress(outcome.recipient()));
        }
        copy.setRecipients(recipients);
        return copy;
    }

    public static String recipients(List<RecipientOutcome> outcomes) {
        return outcomes.stream().map(RecipientOutcome::recipient).toList().toString();
    }
}
