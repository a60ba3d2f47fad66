package org.jamesrouting.mailets;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import javax.inject.Inject;
import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.mailrepository.api.MailRepositoryStore;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.jamesrouting.undelivered.UndeliveredAction;
import org.jamesrouting.undelivered.UndeliveredMailPolicy;
import org.jamesrouting.undelivered.UndeliveredMailPolicyParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The undelivered-mail rule: what happens to mail for a local domain's unknown recipient.
 * Use it behind {@link UnknownLocalRecipient}:
 * <pre>
 * &lt;mailet match="All" class="org.jamesrouting.mailets.UndeliveredMailRule"&gt;
 *     &lt;default&gt;reject&lt;/default&gt;
 *     &lt;domains&gt;
 *         sales.example.com = forward:catchall@example.com
 *         archive.example.com = store:memory://var/mail/undelivered/
 *     &lt;/domains&gt;
 * &lt;/mailet&gt;
 * </pre>
 * Actions, per domain with a default ({@code reject} if unset):
 * <ul>
 *     <li>{@code reject}: the SMTP server refuses the recipient at RCPT with {@code 550 5.1.1}
 *     (see {@code UndeliveredRecipientRcptHook}); mail accepted anyway (sent by a mailet) is
 *     bounced;</li>
 *     <li>{@code bounce}: a DSN (RFC 3464, status 5.1.1) to the sender, built by James's
 *     {@code DSNBounce} in the processor named by {@code bounceProcessor} (default
 *     {@code bounces});</li>
 *     <li>{@code forward:<address>}: delivered to that address instead, original headers kept,
 *     an {@code X-Original-To} header added;</li>
 *     <li>{@code store:<repository url>}: kept in that James mail repository, listed and resent
 *     through webadmin {@code /mailRepositories}.</li>
 * </ul>
 * Nothing is dropped: a bounce with no one to bounce to (null sender) and a forward that would
 * loop are kept in {@code fallbackRepository} (default {@code memory://var/mail/undelivered/}).
 * Every decision is logged with the mail's name and Message-ID.
 */
public class UndeliveredMailRule extends GenericMailet {
    private static final Logger LOGGER = LoggerFactory.getLogger(UndeliveredMailRule.class);

    /** Read by James's DSNBounce for the DSN's Status field. */
    public static final AttributeName DELIVERY_ERROR = AttributeName.of("delivery-error");
    public static final AttributeName FORWARDED = AttributeName.of("org.jamesrouting.undelivered.forwarded");
    public static final String ORIGINAL_TO_HEADER = "X-Original-To";
    public static final String UNKNOWN_USER_STATUS = "5.1.1";

    static final String BOUNCE_PROCESSOR_PARAMETER = "bounceProcessor";
    static final String FALLBACK_REPOSITORY_PARAMETER = "fallbackRepository";
    static final String DEFAULT_BOUNCE_PROCESSOR = "bounces";
    static final String DEFAULT_FALLBACK_REPOSITORY = "memory://var/mail/undelivered/";

    private final MailRepositoryStore mailRepositoryStore;
    private UndeliveredMailPolicy policy;
    private String bounceProcessor;
    private MailRepositoryUrl fallbackRepository;

    @Inject
    public UndeliveredMailRule(MailRepositoryStore mailRepositoryStore) {
        this.mailRepositoryStore = mailRepositoryStore;
    }

    @Override
    public void init() throws MessagingException {
        checkInitParameters(Set.of(UndeliveredMailPolicyParser.DEFAULT_PARAMETER, UndeliveredMailPolicyParser.DOMAINS_PARAMETER,
            BOUNCE_PROCESSOR_PARAMETER, FALLBACK_REPOSITORY_PARAMETER));
        try {
            policy = UndeliveredMailPolicyParser.parse(
                Optional.ofNullable(getInitParameter(UndeliveredMailPolicyParser.DEFAULT_PARAMETER)),
                Optional.ofNullable(getInitParameter(UndeliveredMailPolicyParser.DOMAINS_PARAMETER)));
            for (UndeliveredAction action : policy.perDomain().values()) {
                if (action instanceof UndeliveredAction.Store store) {
                    MailRepositoryUrl.from(store.repositoryUrl());
                }
            }
            fallbackRepository = MailRepositoryUrl.from(getInitParameter(FALLBACK_REPOSITORY_PARAMETER, DEFAULT_FALLBACK_REPOSITORY));
        } catch (IllegalArgumentException e) {
            throw new MessagingException("Mailet UndeliveredMailRule in mailetcontainer.xml: " + e.getMessage(), e);
        }
        bounceProcessor = getInitParameter(BOUNCE_PROCESSOR_PARAMETER, DEFAULT_BOUNCE_PROCESSOR);
        LOGGER.info("Undelivered-mail rule: {}", policy);
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        Map<UndeliveredAction, List<MailAddress>> byAction = new LinkedHashMap<>();
        for (MailAddress recipient : mail.getRecipients()) {
            byAction.computeIfAbsent(policy.actionFor(recipient.getDomain()), any -> new ArrayList<>()).add(recipient);
        }
        List<MailAddress> remaining = new ArrayList<>(mail.getRecipients());
        for (Map.Entry<UndeliveredAction, List<MailAddress>> group : byAction.entrySet()) {
            try {
                apply(group.getKey(), mail, group.getValue());
                remaining.removeAll(group.getValue());
            } catch (MessagingException | RuntimeException e) {
                // What was already handled is not handed to the error processor a second time.
                mail.setRecipients(remaining);
                throw e;
            }
        }
        mail.setState(Mail.GHOST);
    }

    private void apply(UndeliveredAction action, Mail mail, List<MailAddress> recipients) throws MessagingException {
        if (action instanceof UndeliveredAction.Forward forward) {
            forward(mail, recipients, forward.target());
        } else if (action instanceof UndeliveredAction.Store store) {
            store(mail, recipients, MailRepositoryUrl.from(store.repositoryUrl()), action.asString());
        } else {
            bounce(mail, recipients, action);
        }
    }

    private void bounce(Mail mail, List<MailAddress> recipients, UndeliveredAction action) throws MessagingException {
        if (mail.getMaybeSender().isNullSender()) {
            log(mail, recipients, action.asString() + ": null sender, nobody to bounce to, kept in " + fallbackRepository.asString());
            store(mail, recipients, fallbackRepository, null);
            return;
        }
        MailImpl bounce = MailImpl.duplicate(mail);
        try {
            bounce.setRecipients(recipients);
            bounce.setErrorMessage("550 5.1.1 Mailbox unavailable: no such user here");
            bounce.setAttribute(new Attribute(DELIVERY_ERROR, AttributeValue.of(UNKNOWN_USER_STATUS)));
            getMailetContext().sendMail(bounce, bounceProcessor);
            log(mail, recipients, action.asString() + ": DSN " + UNKNOWN_USER_STATUS + " to " + mail.getMaybeSender().asString()
                + " via processor " + bounceProcessor);
        } finally {
            LifecycleUtil.dispose(bounce);
        }
    }

    private void forward(Mail mail, List<MailAddress> recipients, MailAddress target) throws MessagingException {
        if (mail.getAttribute(FORWARDED).isPresent()) {
            log(mail, recipients, "forward:" + target.asString() + " would loop (already forwarded once), kept in "
                + fallbackRepository.asString());
            store(mail, recipients, fallbackRepository, null);
            return;
        }
        MimeMessage message = new MimeMessage(mail.getMessage());
        message.addHeader(ORIGINAL_TO_HEADER, join(recipients));
        MailImpl copy = MailImpl.duplicate(mail);
        try {
            copy.setMessage(message);
            copy.setRecipients(List.of(target));
            copy.setAttribute(new Attribute(FORWARDED, AttributeValue.of(join(recipients))));
            getMailetContext().sendMail(copy);
            log(mail, recipients, "forward:" + target.asString());
        } finally {
            LifecycleUtil.dispose(copy);
        }
    }

    private void store(Mail mail, List<MailAddress> recipients, MailRepositoryUrl url, String loggedAction) throws MessagingException {
        MailImpl copy = MailImpl.duplicate(mail);
        try {
            copy.setRecipients(recipients);
            copy.setErrorMessage("550 5.1.1 Mailbox unavailable: no such user here");
            mailRepositoryStore.select(url).store(copy);
            if (loggedAction != null) {
                log(mail, recipients, loggedAction);
            }
        } catch (MailRepositoryStore.MailRepositoryStoreException e) {
            throw new MessagingException("Cannot store undelivered mail in " + url.asString(), e);
        } finally {
            LifecycleUtil.dispose(copy);
        }
    }

    private void log(Mail mail, Collection<MailAddress> recipients, String decision) {
        LOGGER.info("Undelivered mail {} (Message-ID {}) from {} to unknown {}: {}",
            mail.getName(), messageId(mail), mail.getMaybeSender().asString(), join(recipients), decision);
    }

    private static String messageId(Mail mail) {
        try {
            return Optional.ofNullable(mail.getMessage().getMessageID()).orElse("none");
        } catch (MessagingException e) {
            return "unreadable";
        }
    }

    private static String join(Collection<MailAddress> recipients) {
        return recipients.stream().map(MailAddress::asString).collect(Collectors.joining(", "));
    }

    @Override
    public String getMailetInfo() {
        return "james-routing undelivered-mail rule";
    }
}
