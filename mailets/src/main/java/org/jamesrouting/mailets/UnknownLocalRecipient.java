package org.jamesrouting.mailets;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;
import org.jamesrouting.local.LocalDomains;

/**
 * Matches the recipients of a local domain that no user account answers to. Place it after
 * James's {@code RecipientRewriteTable} mailet: aliases, forwards, address and domain mappings
 * have then been applied, so an alias of an existing user is not matched.
 * <pre>
 * &lt;mailet match="org.jamesrouting.mailets.UnknownLocalRecipient" class="ToProcessor"&gt;
 *     &lt;processor&gt;undelivered-mail&lt;/processor&gt;
 * &lt;/mailet&gt;
 * </pre>
 */
public class UnknownLocalRecipient extends GenericMatcher {
    private final LocalDomains localDomains;

    @Inject
    public UnknownLocalRecipient(LocalDomains localDomains) {
        this.localDomains = localDomains;
    }

    @Override
    public Collection<MailAddress> match(Mail mail) throws MessagingException {
        List<MailAddress> matched = new ArrayList<>();
        for (MailAddress recipient : mail.getRecipients()) {
            try {
                if (localDomains.isUnknownLocalRecipient(recipient)) {
                    matched.add(recipient);
                }
            } catch (LocalDomains.LookupException e) {
                throw new MessagingException(e.getMessage(), e);
            }
        }
        return matched;
    }
}
