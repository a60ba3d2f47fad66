package org.jamesrouting.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.persistence.EntityManagerFactory;

import org.apache.james.core.Domain;
import org.apache.james.domainlist.jpa.JPADomainList;
import org.apache.james.domainlist.lib.DomainListConfiguration;
import org.apache.james.rrt.jpa.JPARecipientRewriteTable;
import org.apache.james.rrt.lib.Mapping;
import org.apache.james.rrt.lib.MappingSource;
import org.apache.openjpa.persistence.PersistenceProviderImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.google.common.base.Ticker;

/**
 * The read caches in front of the domain list and the rewrite table, on a real (in-memory)
 * Derby database through our persistence unit: a write through this server is seen at once; a
 * write by another server on the same database within the time to live, not before.
 */
class CachingJpaStoresTest {
    private static final AtomicLong DATABASES = new AtomicLong();
    private final AtomicLong nanos = new AtomicLong();
    private final Ticker ticker = new Ticker() {
        @Override
        public long read() {
            return nanos.get();
        }
    };
    private EntityManagerFactory factory;

    @BeforeEach
    void database() {
        factory = new PersistenceProviderImpl().createEntityManagerFactory(JpaDatabaseModule.UNIT, JpaDatabaseModule.PERSISTENCE_XML,
            Map.of("openjpa.ConnectionDriverName", "org.apache.derby.jdbc.EmbeddedDriver",
                "openjpa.ConnectionURL", "jdbc:derby:memory:caching" + DATABASES.incrementAndGet() + ";create=true"));
    }

    @AfterEach
    void close() {
        factory.close();
    }

    private void pass(long seconds) {
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
    }

    private static DomainListConfiguration configuration() {
        return DomainListConfiguration.builder().autoDetect(false).autoDetectIp(false).defaultDomain(Domain.LOCALHOST).build();
    }

    @Test
    void domainList() throws Exception {
        CachingJpaDomainList ours = new CachingJpaDomainList(null, factory, ticker);
        ours.configure(configuration());
        JPADomainList otherServer = new JPADomainList(null, factory);
        otherServer.configure(configuration());
        Domain partner = Domain.of("partner.test");

        assertThat(ours.containsDomain(partner)).isFalse();
        otherServer.addDomain(partner);
        assertThat(ours.containsDomain(partner)).as("cached answer within the time to live").isFalse();
        pass(ReadCache.TIME_TO_LIVE.toSeconds() + 1);
        assertThat(ours.containsDomain(partner)).as("read again after it").isTrue();

        Domain added = Domain.of("added.test");
        assertThat(ours.containsDomain(added)).isFalse();
        ours.addDomain(added);
        assertThat(ours.containsDomain(added)).as("our own write, at once").isTrue();
        ours.removeDomain(added);
        assertThat(ours.containsDomain(added)).as("our own removal, at once").isFalse();
    }

    @Test
    void recipientRewriteTable() throws Exception {
        CachingJpaRecipientRewriteTable ours = new CachingJpaRecipientRewriteTable(ticker);
        ours.setEntityManagerFactory(factory);
        JPARecipientRewriteTable otherServer = new JPARecipientRewriteTable();
        otherServer.setEntityManagerFactory(factory);
        MappingSource alias = MappingSource.fromUser("robert", Domain.of("example.test"));
        Mapping toBob = Mapping.alias("bob@example.test");

        assertThat(ours.getStoredMappings(alias).isEmpty()).isTrue();
        otherServer.addMapping(alias, toBob);
        assertThat(ours.getStoredMappings(alias).isEmpty()).as("cached answer within the time to live").isTrue();
        pass(ReadCache.TIME_TO_LIVE.toSeconds() + 1);
        assertThat(ours.getStoredMappings(alias).contains(toBob)).as("read again after it").isTrue();

        Mapping toCarol = Mapping.alias("carol@example.test");
        ours.addMapping(alias, toCarol);
        assertThat(ours.getStoredMappings(alias).asStream()).as("our own write, at once, keeping the other mapping").contains(toBob, toCarol);
        ours.removeMapping(alias, toBob);
        assertThat(ours.getStoredMappings(alias).asStream()).as("our own removal, at once").containsExactly(toCarol);
    }
}
