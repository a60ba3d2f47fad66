package org.jamesrouting.engine;

import java.time.Duration;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.mailrepository.api.MailRepositoryStore;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.queue.api.MailQueue;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.jamesrouting.delivery.DeliveryAttributes;
import org.jamesrouting.schedule.PoisonPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Processing a queued message threw: it is queued again after a wait that doubles, and parked
 * in {@code poisonRepository} (with the error) after {@code poisonAfter} failures; it never goes
 * back to the broker's redelivery, whose end is a dead-letter queue nobody reads. Only when even
 * that fails is the queue entry handed back to the broker, as a last resort.
 */
final class PoisonHandling {
    private static final Logger LOGGER = LoggerFactory.getLogger(PoisonHandling.class);

    private final PoisonPolicy policy;
    private final MailQueue queue;
    private final MailRepositoryStore repositories;
    private final MailRepositoryUrl poisonRepository;

    PoisonHandling(PoisonPolicy policy, MailQueue queue, MailRepositoryStore repositories, MailRepositoryUrl poisonRepository) {
        this.policy = policy;
        this.queue = queue;
        this.repositories = repositories;
        this.poisonRepository = poisonRepository;
    }

    void failed(MailQueue.MailQueueItem item, Mail mail, Throwable error) {
        int failures = AttributeUtils.getValueAndCastFromMail(mail, DeliveryAttributes.PROCESSING_FAILURES, Integer.class).orElse(0) + 1;
        Optional<Duration> retry = policy.retryAfter(failures);
        try {
            mail.setAttribute(new Attribute(DeliveryAttributes.PROCESSING_FAILURES, AttributeValue.of(failures)));
            mail.setErrorMessage("processing failed " + failures + " time(s): " + error);
            if (retry.isPresent()) {
                LOGGER.error("Outbound router: processing {} failed ({} of {}); trying again in {}", mail.getName(), failures,
                    policy.parkAfter(), retry.get(), error);
                queue.enQueue(mail, retry.get());
            } else {
                repositories.select(poisonRepository).store(mail);
                LOGGER.error("Outbound router: processing {} (Message-ID {}) failed {} times: parked in {} for the operator "
                    + "(bin/james-routing queue; queue flush parked puts it back)", mail.getName(), messageId(mail), failures,
                    poisonRepository.asString(), error);
            }
            item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
        } catch (Exception | Error e) {
            LOGGER.error("Outbound router: cannot requeue or park {}: the queue keeps it", mail.getName(), e);
            try {
                item.done(MailQueue.MailQueueItem.CompletionStatus.RETRY);
            } catch (MailQueue.MailQueueException ex) {
                LOGGER.error("Outbound router: cannot hand {} back to the queue", mail.getName(), ex);
            }
        }
    }

    private static String messageId(Mail mail) {
        try {
            return Optional.ofNullable(mail.getMessage().getMessageID()).orElse("none");
        } catch (MessagingException | RuntimeException e) {
            return "unreadable";
        }
    }
}
