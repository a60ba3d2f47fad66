package org.jamesrouting.server;

import org.apache.james.rrt.api.RecipientRewriteTableException;
import org.apache.james.rrt.jpa.JPARecipientRewriteTable;
import org.apache.james.rrt.lib.Mapping;
import org.apache.james.rrt.lib.MappingSource;
import org.apache.james.rrt.lib.Mappings;

import com.google.common.base.Ticker;

/**
 * James's JPA recipient rewrite table (aliases, forwards, domain aliases) with a
 * {@link ReadCache} on the stored mappings of a source, read for every recipient of every
 * message (the RecipientRewriteTable mailet, the local/remote split): one query per source every
 * few seconds instead of several per message. A mapping added or removed through this server
 * clears the cache before the write reads the current mappings and again after it
 * ({@link ReadCache#write}).
 */
public class CachingJpaRecipientRewriteTable extends JPARecipientRewriteTable {
    private final ReadCache<MappingSource, Mappings> stored;

    public CachingJpaRecipientRewriteTable() {
        this(Ticker.systemTicker());
    }

    CachingJpaRecipientRewriteTable(Ticker ticker) {
        this.stored = new ReadCache<>(ticker);
    }

    @Override
    public Mappings getStoredMappings(MappingSource source) throws RecipientRewriteTableException {
        return stored.get(source, () -> super.getStoredMappings(source), RecipientRewriteTableException.class);
    }

    @Override
    public void addMapping(MappingSource source, Mapping mapping) throws RecipientRewriteTableException {
        stored.write(() -> super.addMapping(source, mapping));
    }

    @Override
    public void removeMapping(MappingSource source, Mapping mapping) throws RecipientRewriteTableException {
        stored.write(() -> super.removeMapping(source, mapping));
    }
}
