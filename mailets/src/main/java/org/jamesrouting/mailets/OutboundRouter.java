package org.jamesrouting.mailets;

import java.util.Optional;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.mailet.AttributeName;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.jamesrouting.engine.OutboundEngine;

import com.google.common.collect.ImmutableSet;

/**
 * The outbound router, in place of James's RemoteDelivery: every remote recipient's mail goes
 * to the first route of {@code routes} that matches, else the smart host (then its backup), else
 * the recipient domain's MX through the chosen DNS servers. This mailet only hands the mail to
 * the server's {@link OutboundEngine}, which it starts with its parameters (see
 * docs/configuration.md); the mail leaves the mailet container here (GHOST).
 */
public class OutboundRouter extends GenericMailet {
    public static final AttributeName FIRST_ATTEMPT = OutboundEngine.FIRST_ATTEMPT;
    public static final AttributeName ATTEMPTS = OutboundEngine.ATTEMPTS;

    private final OutboundEngine engine;

    @Inject
    public OutboundRouter(OutboundEngine engine) {
        this.engine = engine;
    }

    @Override
    public void init() throws MessagingException {
        checkInitParameters(ImmutableSet.copyOf(OutboundEngine.parameterNames()));
        engine.start(name -> Optional.ofNullable(getInitParameter(name)), getMailetContext());
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        engine.accept(mail);
        mail.setState(Mail.GHOST);
    }

    @Override
    public void destroy() {
        engine.stop();
    }

    @Override
    public String getMailetInfo() {
        return "james-routing outbound router";
    }
}
