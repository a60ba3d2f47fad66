package org.jamesrouting.local;

import javax.inject.Inject;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.domainlist.api.DomainListException;
import org.apache.james.rrt.api.RecipientRewriteTable;
import org.apache.james.rrt.api.RecipientRewriteTableException;
import org.apache.james.rrt.lib.Mapping;
import org.apache.james.rrt.lib.MappingSource;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.api.UsersRepositoryException;
import org.jamesrouting.core.DomainNames;

/**
 * Answers "is this recipient ours?". A domain is local when it is in James's DomainList
 * ({@code conf/domainlist.xml}, webadmin {@code /domains}) or is the source of a domain alias
 * in the RecipientRewriteTable (webadmin {@code /domains/{d}/aliases}). Local mail never takes
 * the outbound path.
 */
public class LocalDomains {
    private final DomainList domainList;
    private final RecipientRewriteTable recipientRewriteTable;
    private final UsersRepository usersRepository;

    @Inject
    public LocalDomains(DomainList domainList, RecipientRewriteTable recipientRewriteTable, UsersRepository usersRepository) {
        this.domainList = domainList;
        this.recipientRewriteTable = recipientRewriteTable;
        this.usersRepository = usersRepository;
    }

    public boolean isLocal(Domain domain) throws LookupException {
        Domain normalized = DomainNames.normalize(domain);
        try {
            return domainList.containsDomain(normalized) || isDomainAliasSource(normalized);
        } catch (DomainListException | RecipientRewriteTableException e) {
            throw new LookupException("Cannot tell whether " + normalized.asString() + " is local", e);
        }
    }

    public boolean isLocalRecipient(MailAddress recipient) throws LookupException {
        return !recipient.isNullSender() && isLocal(recipient.getDomain());
    }

    /**
     * A recipient of a local domain that no user account answers to. Meant to be asked after
     * James's RecipientRewriteTable mailet rewrote aliases, forwards and domain aliases.
     */
    public boolean isUnknownLocalRecipient(MailAddress recipient) throws LookupException {
        if (!isLocalRecipient(recipient)) {
            return false;
        }
        try {
            return !isUser(recipient);
        } catch (UsersRepositoryException e) {
            throw new LookupException("Cannot tell whether user " + recipient.asString() + " exists", e);
        }
    }

    /**
     * Whether a James user answers to this address. A local part no user name can have (e.g. a
     * quoted one holding an '@': {@code "x@other"@example.com}) is nobody, not an error.
     */
    public boolean isUser(MailAddress address) throws UsersRepositoryException {
        org.apache.james.core.Username username;
        try {
            username = usersRepository.getUsername(address);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return usersRepository.contains(username);
    }

    private boolean isDomainAliasSource(Domain domain) throws RecipientRewriteTableException {
        return recipientRewriteTable.getStoredMappings(MappingSource.fromDomain(domain))
            .contains(Mapping.Type.DomainAlias);
    }

    /** A lookup in James's storage failed; the caller must not guess (defer instead). */
    public static class LookupException extends Exception {
        public LookupException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
