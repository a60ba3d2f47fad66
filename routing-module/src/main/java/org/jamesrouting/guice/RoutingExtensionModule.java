package org.jamesrouting.guice;

import java.io.FileNotFoundException;
import java.nio.file.Path;
import java.time.Clock;

import javax.inject.Singleton;

import org.apache.james.filesystem.api.FileSystem;
import org.jamesrouting.ops.RouteExplainer;
import org.jamesrouting.engine.OutboundEngine;
import org.jamesrouting.dns.DnsPins;
import org.jamesrouting.dns.DomainNameCache;
import org.jamesrouting.local.LocalDomains;
import org.jamesrouting.route.DynamicRouteStore;
import org.jamesrouting.route.RoutingTables;
import org.jamesrouting.schedule.Holds;
import org.jamesrouting.store.FileDocumentStore;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Scopes;

/**
 * The james-routing Guice module. James loads it for its extensions (our mailets, matchers,
 * SMTP hooks and webadmin routes), which then share one set of routing tables, one domain name
 * cache and one view of the running router, when {@code conf/extensions.properties} says:
 * <pre>guice.extension.module=org.jamesrouting.guice.RoutingExtensionModule</pre>
 * The dynamic routing table is kept in {@code var/routing/dynamic-routes.json}, the pinned
 * domain names in {@code var/routing/dns-pins.json}, under James's working directory.
 */
public class RoutingExtensionModule extends AbstractModule {
    public static final String DYNAMIC_ROUTES_FILE = "var/routing/dynamic-routes.json";
    public static final String DNS_PINS_FILE = "var/routing/dns-pins.json";
    public static final String HOLDS_FILE = "var/routing/held-destinations.json";

    @Override
    protected void configure() {
        bind(LocalDomains.class).in(Scopes.SINGLETON);
        bind(OutboundEngine.class).in(Scopes.SINGLETON);
    }

    @Provides
    @Singleton
    DynamicRouteStore dynamicRouteStore(FileSystem fileSystem) throws FileNotFoundException {
        return new DynamicRouteStore(new FileDocumentStore(Path.of(fileSystem.getBasedir().getPath(), DYNAMIC_ROUTES_FILE)));
    }

    @Provides
    @Singleton
    RoutingTables routingTables(DynamicRouteStore store) {
        return new RoutingTables(store);
    }

    @Provides
    @Singleton
    DomainNameCache domainNameCache() {
        return new DomainNameCache(100_000, Clock.systemUTC());
    }

    @Provides
    @Singleton
    Holds holds(FileSystem fileSystem) throws FileNotFoundException {
        return new Holds(Path.of(fileSystem.getBasedir().getPath(), HOLDS_FILE));
    }

    @Provides
    @Singleton
    DnsPins dnsPins(FileSystem fileSystem) throws FileNotFoundException {
        return new DnsPins(Path.of(fileSystem.getBasedir().getPath(), DNS_PINS_FILE));
    }

    @Provides
    @Singleton
    RouteExplainer routeExplainer(LocalDomains localDomains, RoutingTables tables, OutboundEngine engine, DnsPins pins) {
        return new RouteExplainer(localDomains, tables, engine, pins);
    }
}
