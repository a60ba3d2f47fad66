package org.jamesrouting.server;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.james.CoreDataModule;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.domainlist.lib.DomainListConfiguration;
import org.apache.james.mailrepository.api.MailRepositoryFactory;
import org.apache.james.mailrepository.api.MailRepositoryUrlStore;
import org.apache.james.mailrepository.api.Protocol;
import org.apache.james.mailrepository.jpa.JPAMailRepository;
import org.apache.james.mailrepository.jpa.JPAMailRepositoryFactory;
import org.apache.james.mailrepository.jpa.JPAMailRepositoryUrlStore;
import org.apache.james.mailrepository.memory.MailRepositoryStoreConfiguration;
import org.apache.james.rrt.api.AliasReverseResolver;
import org.apache.james.rrt.api.CanSendFrom;
import org.apache.james.rrt.api.RecipientRewriteTable;
import org.apache.james.rrt.lib.AliasReverseResolverImpl;
import org.apache.james.rrt.lib.CanSendFromImpl;
import org.apache.james.sieve.jpa.JPASieveRepository;
import org.apache.james.sieverepository.api.SieveQuotaRepository;
import org.apache.james.sieverepository.api.SieveRepository;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.jpa.JPAUsersRepository;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;

import com.google.common.collect.ImmutableList;
import com.google.inject.AbstractModule;
import com.google.inject.Scopes;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;

/**
 * Domains, recipient rewrites (aliases, forwards, domain aliases), Sieve scripts and the list
 * of mail repositories on James's JPA backends, as James's JPA application binds them
 * ({@code JPADataModule}, {@code SieveJPARepositoryModules}; their Guice modules are not
 * published, so written here). Users: {@link JpaUsersModule}. The domain list and the rewrite
 * table, read several times for every message, have a short read cache in front
 * ({@link CachingJpaDomainList}, {@link CachingJpaRecipientRewriteTable}).
 */
public class JpaDataModule extends AbstractModule {
    @Override
    protected void configure() {
        install(new CoreDataModule());

        bind(CachingJpaDomainList.class).in(Scopes.SINGLETON);
        bind(DomainList.class).to(CachingJpaDomainList.class);

        bind(CachingJpaRecipientRewriteTable.class).in(Scopes.SINGLETON);
        bind(RecipientRewriteTable.class).to(CachingJpaRecipientRewriteTable.class);
        bind(AliasReverseResolverImpl.class).in(Scopes.SINGLETON);
        bind(AliasReverseResolver.class).to(AliasReverseResolverImpl.class);
        bind(CanSendFromImpl.class).in(Scopes.SINGLETON);
        bind(CanSendFrom.class).to(CanSendFromImpl.class);

        bind(JPASieveRepository.class).in(Scopes.SINGLETON);
        bind(SieveRepository.class).to(JPASieveRepository.class);
        bind(SieveQuotaRepository.class).to(JPASieveRepository.class);

        bind(JPAMailRepositoryUrlStore.class).in(Scopes.SINGLETON);
        bind(MailRepositoryUrlStore.class).to(JPAMailRepositoryUrlStore.class);
        bind(MailRepositoryStoreConfiguration.Item.class)
            .toProvider(() -> new MailRepositoryStoreConfiguration.Item(
                ImmutableList.of(new Protocol("jpa")),
                JPAMailRepository.class.getName(),
                new BaseHierarchicalConfiguration()));
        Multibinder.newSetBinder(binder(), MailRepositoryFactory.class).addBinding().to(JPAMailRepositoryFactory.class);
    }

    @ProvidesIntoSet
    InitializationOperation configureDomainList(DomainListConfiguration configuration, CachingJpaDomainList domains) {
        return InitilizationOperationBuilder.forClass(CachingJpaDomainList.class)
            .init(() -> domains.configure(configuration));
    }

    @ProvidesIntoSet
    InitializationOperation configureRecipientRewriteTable(ConfigurationProvider configurations, CachingJpaRecipientRewriteTable table) {
        return InitilizationOperationBuilder.forClass(CachingJpaRecipientRewriteTable.class)
            .init(() -> table.configure(configurations.getConfiguration("recipientrewritetable")));
    }

    /** Users with hashed passwords in the database (unless conf/usersrepository.xml names LDAP). */
    public static class JpaUsersModule extends AbstractModule {
        @Override
        protected void configure() {
            bind(JPAUsersRepository.class).in(Scopes.SINGLETON);
            bind(UsersRepository.class).to(JPAUsersRepository.class);
        }

        @ProvidesIntoSet
        InitializationOperation configureUsers(ConfigurationProvider configurations, JPAUsersRepository users) {
            return InitilizationOperationBuilder.forClass(JPAUsersRepository.class)
                .init(() -> users.configure(configurations.getConfiguration("usersrepository")));
        }
    }
}
