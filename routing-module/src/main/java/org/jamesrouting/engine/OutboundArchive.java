package org.jamesrouting.engine;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;
import javax.mail.internet.AddressException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.jamesrouting.delivery.RecipientOutcome;
import org.jamesrouting.route.AddressPattern;
import org.jamesrouting.route.RoutingAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound archive: a copy of each message that left, for recipients matching a pattern,
 * delivered to a local mailbox ({@code archiveCopyTo}), as Mailtraq's "forward copies of
 * outgoing mail to". Only ever to a local address: a copy for an address that is not (or no
 * longer) local is not sent, so an archive can never loop out. The copy carries
 * {@code X-Outbound-Delivered-To} (recipients, the host that took them, when).
 */
final class OutboundArchive {
    private static final Logger LOGGER = LoggerFactory.getLogger(OutboundArchive.class);
    static final String HEADER = "X-Outbound-Delivered-To";

    private final MailAddress archive;
    private final AddressPattern pattern;

    private OutboundArchive(MailAddress archive, AddressPattern pattern) {
        this.archive = archive;
        this.pattern = pattern;
    }

    /**
     * @throws IllegalArgumentException naming the parameter and the problem
     */
    static Optional<OutboundArchive> parse(Optional<String> copyTo, Optional<String> patternText) {
        if (copyTo.isEmpty() || copyTo.get().isBlank()) {
            if (patternText.isPresent()) {
                throw new IllegalArgumentException("<archivePattern> needs <archiveCopyTo>, the local mailbox that gets the copies");
            }
            return Optional.empty();
        }
        MailAddress address;
        try {
            address = new MailAddress(copyTo.get().trim());
        } catch (AddressException e) {
            throw new IllegalArgumentException("<archiveCopyTo>: '" + copyTo.get() + "' is not a mail address: " + e.getMessage());
        }
        AddressPattern pattern;
        try {
            pattern = AddressPattern.parse(patternText.orElse("*"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("<archivePattern>: " + e.getMessage());
        }
        return Optional.of(new OutboundArchive(address, pattern));
    }

    MailAddress address() {
        return archive;
    }

    /** Sends the copy for the delivered recipients that match the pattern, if any. */
    void copy(Mail mail, List<RecipientOutcome> delivered, MailetContext context) {
        List<RecipientOutcome> matching = delivered.stream()
            .filter(outcome -> {
                RoutingAddress address = RoutingAddress.parse(outcome.recipient());
                return pattern.matches(address.localPart(), address.domain());
            })
            .toList();
        if (matching.isEmpty()) {
            return;
        }
        if (!context.isLocalServer(archive.getDomain())) {
            LOGGER.error("No archive copy of {}: {} is not a local domain (archive copies go to local mailboxes only, never out)",
                mail.getName(), archive.getDomain().asString());
            return;
        }
        MailImpl copy = null;
        try {
            MimeMessage message = new MimeMessage(mail.getMessage());
            String when = ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME);
            for (RecipientOutcome outcome : matching) {
                message.addHeader(HEADER, outcome.recipient() + " via " + outcome.remoteMta().orElse("?") + "; " + when);
            }
            copy = MailImpl.builder()
                .name(mail.getName() + "-archive-" + System.currentTimeMillis())
                .sender(mail.getMaybeSender())
                .addRecipient(archive)
                .mimeMessage(message)
                .build();
            context.sendMail(copy);
            LOGGER.info("Archive copy of {} ({}) sent to {}", mail.getName(),
                matching.stream().map(RecipientOutcome::recipient).toList(), archive.asString());
        } catch (MessagingException e) {
            LOGGER.error("No archive copy of {}: {}", mail.getName(), e.getMessage(), e);
        } finally {
            LifecycleUtil.dispose(copy);
        }
    }
}
