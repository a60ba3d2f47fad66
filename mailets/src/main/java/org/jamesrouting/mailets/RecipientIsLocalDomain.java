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
 * Matches the recipients whose domain is local: one of James's domains
 * ({@code conf/domainlist.xml}, webadmin {@code /domains}) or a domain alias
 * ({@code /domains/{domain}/aliases}). Case-insensitive; IDN domains compare in punycode.
 * <pre>
 * &lt;mailet match="org.jamesrouting.mailets.RecipientIsLocalDomain" class="ToProcessor"&gt;
 *     &lt;processor&gt;local-delivery&lt;/processor&gt;
 * &lt;/mailet&gt;
 * </pre>
 * A storage failure while looking a domain up is raised (James sends the mail to its error
 * processor, or as {@code onMatchException} says): never a guess that would send local mail out.
 */
public class RecipientIsLocalDomain extends GenericMatcher {
    private final LocalDomains localDomains;

    @Inject
    public RecipientIsLocalDomain(LocalDomains localDomains) {
        this.localDomains = localDomains;
    }

    @Override
    public Collection<MailAddress> match(Mail mail) throws MessagingException {
        List<MailAddress> matched = new ArrayList<>();
        for (MailAddress recipient : mail.getRecipients()) {
            try {
                if (localDomains.isLocalRecipient(recipient)) {
                    matched.add(recipient);
                }
            } catch (LocalDomains.LookupException e) {
                throw new MessagingException(e.getMessage(), e);
            }
        }
        return matched;
    }
}
