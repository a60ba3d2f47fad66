package org.jamesrouting.server;

import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.james.ExtraProperties;
import org.apache.james.FakeSearchMailboxModule;
import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerMain;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.NaiveDelegationStoreModule;
import org.apache.james.data.UsersRepositoryModuleChooser;
import org.apache.james.lifecycle.api.StartUpCheck;
import org.apache.james.modules.MailboxModule;
import org.apache.james.modules.MailetProcessingModule;
import org.apache.james.modules.RunArgumentsModule;
import org.apache.james.modules.protocols.IMAPServerModule;
import org.apache.james.modules.protocols.LMTPServerModule;
import org.apache.james.modules.protocols.ManageSieveServerModule;
import org.apache.james.modules.protocols.POP3ServerModule;
import org.apache.james.modules.protocols.ProtocolHandlerModule;
import org.apache.james.modules.protocols.SMTPServerModule;
import org.apache.james.modules.server.DataRoutesModules;
import org.apache.james.modules.server.JMXServerModule;
import org.apache.james.modules.server.MailQueueRoutesModule;
import org.apache.james.modules.server.MailetContainerModule;
import org.apache.james.modules.server.MailRepositoriesRoutesModule;
import org.apache.james.modules.server.MailboxRoutesModule;
import org.apache.james.modules.server.NoJwtModule;
import org.apache.james.modules.server.RawPostDequeueDecoratorModule;
import org.apache.james.modules.server.SieveRoutesModule;
import org.apache.james.modules.server.TaskManagerModule;
import org.apache.james.modules.server.WebAdminServerModule;

import com.google.inject.Module;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.util.Modules;

/**
 * The server {@code bin/james-routing server} runs: Apache James 3.8.1 composed as James's
 * own JPA application is ({@code JPAJamesServerMain}, not published), with
 * <ul>
 *   <li>domains, users (hashed passwords), recipient rewrites, Sieve scripts, mailboxes and
 *       quotas in the database of {@code conf/james-database.properties} — by default an
 *       embedded Derby database under the home, {@code var/store/derby}
 *       ({@link JpaDatabaseModule}, {@link JpaDataModule}, {@link JpaMailboxModule});</li>
 *   <li>every mail queue on disk, in this JVM, with group commit ({@link DurableMailQueueModule}),
 *       or, chosen in {@code conf/queue.properties}, on James's ActiveMQ queue ({@link MailQueueChoice});</li>
 *   <li>mail repositories as {@code file://} directories (conf/mailrepositorystore.xml);</li>
 *   <li>SMTP, submission, LMTP, IMAP, POP3, ManageSieve and webadmin (domains, users, aliases,
 *       mailboxes, mail queues, mail repositories, Sieve); a start-up check that webadmin is not
 *       exposed without authentication ({@link WebAdminExposureCheck}), and one that James can
 *       read the message memory threshold of conf/jvm.properties ({@link MessageThresholdCheck}).</li>
 * </ul>
 * Nothing the server accepted or was told is held only in memory.
 */
public final class RoutingJamesServerMain implements JamesServerMain {
    private static final Module WEBADMIN = Modules.combine(
        new WebAdminServerModule(),
        new DataRoutesModules(),
        new MailboxRoutesModule(),
        new MailQueueRoutesModule(),
        new MailRepositoriesRoutesModule(),
        new SieveRoutesModule());

    private static final Module PROTOCOLS = Modules.combine(
        new IMAPServerModule(),
        new LMTPServerModule(),
        new ManageSieveServerModule(),
        new POP3ServerModule(),
        new ProtocolHandlerModule(),
        new SMTPServerModule());

    private static final Module STORAGE = Modules.combine(
        new JpaDatabaseModule(),
        new JpaDataModule(),
        new JpaMailboxModule(),
        new MailboxModule(),
        new FakeSearchMailboxModule(),
        new NaiveDelegationStoreModule(),
        new RawPostDequeueDecoratorModule());

    private RoutingJamesServerMain() {
    }

    public static GuiceJamesServer createServer(MemoryJamesConfiguration configuration) {
        return GuiceJamesServer.forConfiguration(configuration)
            .combineWith(new MailetProcessingModule(), new TaskManagerModule(), new NoJwtModule(), STORAGE, PROTOCOLS, WEBADMIN)
            .combineWith(MailQueueChoice.read(Path.of(configuration.directories().getRootDirectory(), "conf")).module())
            .combineWith(new UsersRepositoryModuleChooser(new JpaDataModule.JpaUsersModule())
                .chooseModules(configuration.getUsersRepositoryImplementation()))
            .combineWith(binder -> Multibinder.newSetBinder(binder, StartUpCheck.class).addBinding().to(WebAdminExposureCheck.class),
                binder -> Multibinder.newSetBinder(binder, StartUpCheck.class).addBinding().to(MessageThresholdCheck.class),
                // conf/mailetcontainer.xml is required: no built-in default mail flow
                binder -> binder.bind(MailetContainerModule.DefaultProcessorsConfigurationSupplier.class)
                    .toInstance(BaseHierarchicalConfiguration::new));
    }

    public static void main(String[] args) throws Exception {
        ExtraProperties.initialize();
        MemoryJamesConfiguration configuration = MemoryJamesConfiguration.builder()
            .useWorkingDirectoryEnvProperty()
            .build();
        GuiceJamesServer server = createServer(configuration)
            .combineWith(new JMXServerModule());
        if (Files.exists(Path.of(configuration.directories().getRootDirectory(), "conf",
            RoutingCassandraSessionModule.FILE + ".properties"))) {
            server = server.combineWith(new RoutingCassandraSessionModule());
        }
        server = server
            .overrideWith(new RunArgumentsModule(args));
        JamesServerMain.main(server);
    }
}
