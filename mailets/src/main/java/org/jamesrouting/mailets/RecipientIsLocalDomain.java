package org.jamesrouting.mailets;

import javax.inject.Inject;

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
 */
public class RecipientIsLocalDomain extends LocalRecipientMatcher {
    @Inject
    public RecipientIsLocalDomain(LocalDomains localDomains) {
        super(localDomains, LocalDomains::isLocalRecipient);
    }
}
