package org.jamesrouting.server;

import javax.inject.Inject;
import javax.persistence.EntityManagerFactory;

import org.apache.james.core.Domain;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.domainlist.api.DomainListException;
import org.apache.james.domainlist.jpa.JPADomainList;

import com.google.common.base.Ticker;

/**
 * James's JPA domain list with a {@link ReadCache} on "is this one of our domains?", asked
 * several times for every message (SMTP RCPT, the local/remote split, the relay check): one
 * database query per domain every few seconds instead of one per question. Adding or removing a
 * domain through this server clears the cache before and after ({@link ReadCache#write}).
 */
public class CachingJpaDomainList extends JPADomainList {
    private final ReadCache<Domain, Boolean> contains;

    @Inject
    public CachingJpaDomainList(DNSService dns, EntityManagerFactory entityManagerFactory) {
        this(dns, entityManagerFactory, Ticker.systemTicker());
    }

    CachingJpaDomainList(DNSService dns, EntityManagerFactory entityManagerFactory, Ticker ticker) {
        super(dns, entityManagerFactory);
        this.contains = new ReadCache<>(ticker);
    }

    @Override
    protected boolean containsDomainInternal(Domain domain) throws DomainListException {
        return contains.get(domain, () -> super.containsDomainInternal(domain), DomainListException.class);
    }

    @Override
    public void addDomain(Domain domain) throws DomainListException {
        contains.write(() -> super.addDomain(domain));
    }

    @Override
    public void doRemoveDomain(Domain domain) throws DomainListException {
        contains.write(() -> super.doRemoveDomain(domain));
    }
}
