package org.jamesrouting.it;

import org.apache.james.GuiceJamesServer;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.modules.RunArgumentsModule;
import org.jamesrouting.server.RoutingJamesServerMain;

/**
 * A real James 3.8.1 server in this JVM, composed as {@code RoutingJamesServerMain.main} does
 * (the memory application with durable mail queues), reading the given home's conf/ — without its JMX module: JMX is off in our conf/, and
 * MBeans left registered by a server that failed to start would stop the next one in this JVM.
 */
public final class InProcessJames implements AutoCloseable {
    private final JamesHome home;
    private final GuiceJamesServer server;

    public InProcessJames(JamesHome home) {
        this.home = home;
        MemoryJamesConfiguration configuration = MemoryJamesConfiguration.builder()
            .workingDirectory(home.directory().toFile())
            .build();
        this.server = RoutingJamesServerMain.createServer(configuration)
            .overrideWith(new RunArgumentsModule(new String[] {"--generate-keystore"}));
    }

    public static InProcessJames start(JamesHome home) throws Exception {
        InProcessJames james = new InProcessJames(home);
        try {
            james.server.start();
        } catch (Exception | Error e) {
            // What did start (the mailet container's MBeans, listening sockets) must not stay
            // behind and stop every later server in this test JVM.
            try {
                james.server.stop();
            } catch (RuntimeException stopping) {
                e.addSuppressed(stopping);
            }
            throw e;
        }
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

    /** One SMTP transaction on the server's SMTP port. */
    public SmtpTestClient.Transaction send(String from, java.util.List<String> to, String message) throws Exception {
        try (SmtpTestClient smtp = smtp()) {
            return smtp.send(from, to, message);
        }
    }

    public Mailboxes mailboxes() {
        return new Mailboxes(home.imapPort());
    }

    @Override
    public void close() {
        server.stop();
    }
}
