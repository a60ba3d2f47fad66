package org.jamesrouting.server;

import org.apache.james.ExtraProperties;
import org.apache.james.FakeSearchMailboxModule;
import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerMain;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.modules.RunArgumentsModule;
import org.apache.james.lifecycle.api.StartUpCheck;
import org.apache.james.modules.server.JMXServerModule;

import com.google.inject.multibindings.Multibinder;

/**
 * The server {@code bin/james-routing server} runs: James 3.8.1's memory application, composed
 * as {@code MemoryJamesServerMain} does, with its mail queues moved to disk
 * ({@link DurableMailQueueModule}), and a start-up check that webadmin is not exposed without
 * authentication ({@link WebAdminExposureCheck}). Everything else — users, domains, mailboxes — is the memory
 * application's. Mail repositories are on disk through conf/mailrepositorystore.xml
 * ({@code file://} URLs).
 */
public final class RoutingJamesServerMain implements JamesServerMain {
    private RoutingJamesServerMain() {
    }

    public static GuiceJamesServer createServer(MemoryJamesConfiguration configuration) {
        return MemoryJamesServerMain.createServer(configuration)
            .combineWith(new FakeSearchMailboxModule(),
                binder -> Multibinder.newSetBinder(binder, StartUpCheck.class).addBinding().to(WebAdminExposureCheck.class))
            .overrideWith(new DurableMailQueueModule());
    }

    public static void main(String[] args) throws Exception {
        ExtraProperties.initialize();
        MemoryJamesConfiguration configuration = MemoryJamesConfiguration.builder()
            .useWorkingDirectoryEnvProperty()
            .build();
        GuiceJamesServer server = createServer(configuration)
            .combineWith(new JMXServerModule());
        if (java.nio.file.Files.exists(java.nio.file.Path.of(configuration.directories().getRootDirectory(), "conf",
            RoutingCassandraSessionModule.FILE + ".properties"))) {
            server = server.combineWith(new RoutingCassandraSessionModule());
        }
        server = server
            .overrideWith(new RunArgumentsModule(args));
        JamesServerMain.main(server);
    }
}
