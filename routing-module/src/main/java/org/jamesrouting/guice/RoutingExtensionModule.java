package org.jamesrouting.guice;

import org.jamesrouting.local.LocalDomains;

import com.google.inject.AbstractModule;
import com.google.inject.Scopes;

/**
 * The james-routing Guice module. James loads it for its extensions (our mailets, matchers,
 * SMTP hooks and webadmin routes) when {@code conf/extensions.properties} says:
 * <pre>guice.extension.module=org.jamesrouting.guice.RoutingExtensionModule</pre>
 */
public class RoutingExtensionModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(LocalDomains.class).in(Scopes.SINGLETON);
    }
}
