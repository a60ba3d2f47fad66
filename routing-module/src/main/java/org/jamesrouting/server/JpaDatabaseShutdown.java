package org.jamesrouting.server;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.persistence.EntityManagerFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At server stop: closes the JPA connections. For an embedded Derby database OpenJPA then shuts
 * the database down (its Derby dictionary's {@code shutdownOnClose}), so its files are closed
 * cleanly and a server started again in the same JVM opens it afresh; after a kill -9 Derby
 * recovers from its log at the next start.
 */
public class JpaDatabaseShutdown {
    private static final Logger LOGGER = LoggerFactory.getLogger(JpaDatabaseShutdown.class);

    private final EntityManagerFactory factory;

    @Inject
    public JpaDatabaseShutdown(EntityManagerFactory factory, JpaDatabase database) {
        this.factory = factory;
        LOGGER.info("Domains, users, aliases and mailboxes are kept in the {}", database);
    }

    @PreDestroy
    public void stop() {
        if (factory.isOpen()) {
            factory.close();
        }
    }
}
