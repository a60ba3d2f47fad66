package org.jamesrouting.smtpserver;

import java.util.Optional;

import javax.inject.Inject;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.domainlist.api.DomainListException;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.rrt.api.RecipientRewriteTable;
import org.apache.james.rrt.api.RecipientRewriteTableException;
import org.apache.james.rrt.lib.Mapping;
import org.apache.james.rrt.lib.Mappings;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.james.smtpserver.fastfail.ValidRcptHandler;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.api.UsersRepositoryException;
import org.jamesrouting.local.LocalDomains;
import org.jamesrouting.undelivered.UndeliveredAction;
import org.jamesrouting.undelivered.UndeliveredMailPolicy;
import org.jamesrouting.undelivered.UndeliveredRuleLocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SMTP RCPT hook, in place of James's {@code ValidRcptHandler} in {@code smtpserver.xml}.
 * An unknown recipient of a local domain (no user, and no alias, forward or domain alias that
 * ends at a user or a remote address) is refused with
 * {@code 550 5.1.1} when the undelivered-mail rule for its domain is {@code reject}; for the
 * other actions it is accepted and the {@code UndeliveredMailRule} mailet applies the action.
 * The rule is read from the {@code UndeliveredMailRule} mailet in {@code mailetcontainer.xml};
 * without one, every unknown local recipient is refused, as stock James does.
 * Lookup failures answer {@code 451} (try again), never a guess.
 */
public class UndeliveredRecipientRcptHook extends ValidRcptHandler {
    private static final Logger LOGGER = LoggerFactory.getLogger(UndeliveredRecipientRcptHook.class);

    private final RecipientRewriteTable recipientRewriteTable;
    private final LocalDomains localDomains;
    private final ConfigurationProvider configurationProvider;
    private volatile UndeliveredMailPolicy policy = UndeliveredMailPolicy.DEFAULT;

    @Inject
    public UndeliveredRecipientRcptHook(UsersRepository users, RecipientRewriteTable recipientRewriteTable, DomainList domains,
                                        LocalDomains localDomains, ConfigurationProvider configurationProvider) {
        super(users, recipientRewriteTable, domains);
        this.recipientRewriteTable = recipientRewriteTable;
        this.localDomains = localDomains;
        this.configurationProvider = configurationProvider;
    }

    @Override
    public void init(Configuration config) throws ConfigurationException {
        super.init(config);
        try {
            policy = UndeliveredRuleLocator.locate(configurationProvider.getConfiguration("mailetcontainer"))
                .orElseGet(() -> {
                    LOGGER.info("No UndeliveredMailRule mailet in mailetcontainer.xml: unknown local recipients are rejected at RCPT");
                    return UndeliveredMailPolicy.DEFAULT;
                });
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("UndeliveredMailRule in mailetcontainer.xml: " + e.getMessage(), e);
        }
        LOGGER.info("Undelivered-mail rule at RCPT time: {}", policy);
    }

    @Override
    protected boolean isLocalDomain(SMTPSession session, Domain domain) throws DomainListException {
        try {
            return localDomains.isLocal(domain);
        } catch (LocalDomains.LookupException e) {
            throw new DomainListException(e.getMessage(), e);
        }
    }

    @Override
    protected boolean isValidRecipient(SMTPSession session, MailAddress recipient) throws UsersRepositoryException, RecipientRewriteTableException {
        if (reachesSomeone(recipient)) {
            return true;
        }
        UndeliveredAction action = policy.actionFor(recipient.getDomain());
        if (action instanceof UndeliveredAction.Reject) {
            return false;
        }
        LOGGER.info("Accepting unknown local recipient {}: undelivered-mail rule '{}' applies after acceptance",
            recipient.asString(), action.asString());
        return true;
    }

    /**
     * A user, or an address whose rewriting (aliases, forwards, domain aliases, resolved
     * recursively by James) ends at a user or at a remote address. James's own handler takes
     * any mapping as valid, so with a domain alias every address of the alias domain passed.
     */
    private boolean reachesSomeone(MailAddress recipient) throws UsersRepositoryException, RecipientRewriteTableException {
        if (localDomains.isUser(recipient)) {
            return true;
        }
        Mappings mappings;
        try {
            mappings = recipientRewriteTable.getResolvedMappings(recipient.getLocalPart(), recipient.getDomain());
        } catch (RecipientRewriteTable.ErrorMappingException e) {
            // An error mapping: James's RecipientRewriteTable mailet answers it with its own message.
            return true;
        } catch (IllegalArgumentException e) {
            // A local part no mapping source can have.
            return false;
        }
        for (Mapping mapping : (Iterable<Mapping>) mappings.asStream()::iterator) {
            Optional<MailAddress> target = mapping.asMailAddress();
            if (target.isEmpty()) {
                // Not an address (e.g. an unresolved regex): let the RecipientRewriteTable mailet decide.
                return true;
            }
            if (target.get().equals(recipient)) {
                continue;
            }
            if (!isLocal(target.get()) || localDomains.isUser(target.get())) {
                return true;
            }
        }
        return false;
    }

    private boolean isLocal(MailAddress address) throws RecipientRewriteTableException {
        try {
            return localDomains.isLocal(address.getDomain());
        } catch (LocalDomains.LookupException e) {
            throw new RecipientRewriteTableException(e.getMessage(), e);
        }
    }
}
