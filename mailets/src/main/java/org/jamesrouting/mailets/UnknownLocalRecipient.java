package org.jamesrouting.mailets;

import javax.inject.Inject;

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
public class UnknownLocalRecipient extends LocalRecipientMatcher {
    @Inject
    public UnknownLocalRecipient(LocalDomains localDomains) {
        super(localDomains, LocalDomains::isUnknownLocalRecipient);
    }
}
