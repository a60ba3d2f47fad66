package org.jamesrouting.it;

import org.apache.james.FakeSearchMailboxModule;
import org.apache.james.GuiceJamesServer;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.modules.RunArgumentsModule;
import org.apache.james.modules.server.JMXServerModule;

/**
 * A real James 3.8.1 memory server in this JVM, composed exactly as
 * {@code MemoryJamesServerMain.main} does, reading the given home's conf/.
 */
public final class InProcessJames implements AutoCloseable {
    private final JamesHome home;
    private final GuiceJamesServer server;

    public InProcessJames(JamesHome home) {
        this.home = home;
        MemoryJamesConfiguration configuration = MemoryJamesConfiguration.builder()
            .workingDirectory(home.directory().toFile())
            .build();
        this.server = MemoryJamesServerMain.createServer(configuration)
            .combineWith(new FakeSearchMailboxModule(), new JMXServerModule())
            .overrideWith(new RunArgumentsModule(new String[] {"--generate-keystore"}));
    }

    public static InProcessJames start(JamesHome home) throws Exception {
        InProcessJames james = new InProcessJames(home);
        james.server.start();
        return james;
    }

    public GuiceJamesServer server() {
        return server;
    }

    public JamesHome home() {
        return home;
    }

    public WebAdminClient webAdmin() {
        return new WebAdminClient(home.webAdminPort());
    }

    public SmtpTestClient smtp() throws Exception {
        return SmtpTestClient.connect(home.smtpPort());
    }

    public Mailboxes mailboxes() {
        return new Mailboxes(home.imapPort());
    }

    @Override
    public void close() {
        server.stop();
    }
}
