package org.jamesrouting.server;

import java.io.FileNotFoundException;
import java.nio.file.Path;

import javax.persistence.EntityManagerFactory;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.utils.PropertiesProvider;
import org.apache.openjpa.persistence.PersistenceProviderImpl;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;

/**
 * The {@link EntityManagerFactory} every JPA backend of the server shares, on the database of
 * {@code conf/james-database.properties} ({@link JpaDatabase}); tables are created at first
 * start. Closed, and an embedded Derby database shut down, when the server stops
 * ({@link JpaDatabaseShutdown}).
 */
public class JpaDatabaseModule extends AbstractModule {
    static final String PERSISTENCE_XML = "META-INF/james-routing-persistence.xml";
    static final String UNIT = "james-routing";

    @Override
    protected void configure() {
        bind(JpaDatabaseShutdown.class).asEagerSingleton();
    }

    @Provides
    @Singleton
    JpaDatabase database(PropertiesProvider properties, FileSystem fileSystem) throws ConfigurationException {
        try {
            Path home = fileSystem.getBasedir().toPath().toAbsolutePath();
            return JpaDatabase.from(properties.getConfiguration(JpaDatabase.FILE), home);
        } catch (FileNotFoundException e) {
            throw new ConfigurationException("conf/" + JpaDatabase.FILE + ".properties is missing: the server keeps domains, users and mailboxes"
                + " in the database it names (see docs/storage.md)");
        }
    }

    @Provides
    @Singleton
    EntityManagerFactory entityManagerFactory(JpaDatabase database) {
        DerbyLog.install();
        EntityManagerFactory factory = new PersistenceProviderImpl()
            .createEntityManagerFactory(UNIT, PERSISTENCE_XML, database.openJpaProperties());
        if (factory == null) {
            throw new IllegalStateException(PERSISTENCE_XML + " (persistence unit " + UNIT + ") is not on the classpath");
        }
        return factory;
    }
}
