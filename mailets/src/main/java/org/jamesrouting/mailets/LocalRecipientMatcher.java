package org.jamesrouting.mailets;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;
import org.jamesrouting.local.LocalDomains;

/**
 * A matcher that asks {@link LocalDomains} about each recipient. A storage failure while
 * looking up is raised (James sends the mail to its error processor, or as
 * {@code onMatchException} says): never a guess that would send local mail out.
 */
abstract class LocalRecipientMatcher extends GenericMatcher {
    @FunctionalInterface
    interface Test {
        boolean matches(LocalDomains localDomains, MailAddress recipient) throws LocalDomains.LookupException;
    }

    private final LocalDomains localDomains;
    private final Test test;

    LocalRecipientMatcher(LocalDomains localDomains, Test test) {
        this.localDomains = localDomains;
        this.test = test;
    }

    @Override
    public Collection<MailAddress> match(Mail mail) throws MessagingException {
        List<MailAddress> matched = new ArrayList<>();
        for (MailAddress recipient : mail.getRecipients()) {
            try {
                if (test.matches(localDomains, recipient)) {
                    matched.add(recipient);
                }
            } catch (LocalDomains.LookupException e) {
                throw new MessagingException(e.getMessage(), e);
            }
        }
        return matched;
    }
}
