package org.jamesrouting.smtpserver;

import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.RcptHook;
import org.jamesrouting.engine.OutboundEngine;
import org.jamesrouting.local.LocalDomains;
import org.jamesrouting.nexthop.HopGroup;
import org.jamesrouting.route.MessageContext;
import org.jamesrouting.route.RouteMatch;
import org.jamesrouting.route.RoutingAddress;
import org.jamesrouting.route.RoutingTables;
import org.jamesrouting.smtpclient.RecipientProbe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SMTP RCPT hook (in {@code smtpserver.xml}): for a recipient whose route says
 * {@code verify=rcpt}, asks the route's server at RCPT time ({@link RecipientVerification}) and
 * answers the client {@code 550 5.1.1} for a recipient it does not know, {@code 451 4.4.3} when
 * it cannot be asked now; a known recipient goes on to the other hooks. This is what keeps a
 * server that relays for an internal domain from accepting mail for its unknown users and
 * sending the bounces to forged senders (backscatter). Local recipients, recipients of routes
 * without {@code verify=rcpt}, and clients James will not let relay (its own relay check, later
 * in the chain, refuses them: they must not make us probe a server) are not its business.
 */
public class RecipientVerificationRcptHook implements RcptHook {
    private static final Logger LOGGER = LoggerFactory.getLogger(RecipientVerificationRcptHook.class);

    private final RoutingTables tables;
    private final OutboundEngine engine;
    private final LocalDomains localDomains;
    private final RecipientVerification verification;

    @Inject
    public RecipientVerificationRcptHook(RoutingTables tables, OutboundEngine engine, LocalDomains localDomains,
                                         RecipientVerification verification) {
        this.tables = tables;
        this.engine = engine;
        this.localDomains = localDomains;
        this.verification = verification;
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        try {
            if (localDomains.isLocal(rcpt.getDomain())) {
                return HookResult.DECLINED;
            }
        } catch (LocalDomains.LookupException e) {
            return softFailure("cannot read the local domains: " + e.getMessage());
        }
        if (!session.isRelayingAllowed() && session.getUsername() == null) {
            // James's relay check refuses this client next: nobody may make us probe a server for free
            return HookResult.DECLINED;
        }
        RoutingAddress address = RoutingAddress.of(rcpt);
        Optional<String> authUser = Optional.ofNullable(session.getUsername()).map(org.apache.james.core.Username::asString);
        MessageContext context = MessageContext.of(sender.asString(""), authUser, java.util.Map.of());
        Optional<RouteMatch> match = tables.current().resolve(address, context);
        if (match.isEmpty() || !match.get().route().verifyRecipients()) {
            return HookResult.DECLINED;
        }
        Optional<org.jamesrouting.engine.Running> running = engine.running();
        if (running.isEmpty()) {
            return softFailure("the outbound router is not running");
        }
        HopGroup group = running.get().planner().plan(address, match).groups().get(0);
        String routeId = match.get().route().id();
        RecipientProbe.Answer answer = verification.verify(routeId, group, rcpt.asString());
        if (answer instanceof RecipientProbe.Known) {
            return HookResult.DECLINED;
        }
        if (answer instanceof RecipientProbe.Unknown unknown) {
            LOGGER.info("RCPT {} refused: route {} verifies recipients and {} does not know it ({})", rcpt.asString(), routeId,
                unknown.host(), unknown.reply());
            return HookResult.builder().hookReturnCode(HookReturnCode.deny()).smtpReturnCode("550")
                .smtpDescription("5.1.1 <" + rcpt.asString() + ">: Recipient address rejected: unknown user (verified with "
                    + unknown.host() + ")")
                .build();
        }
        return softFailure("route " + routeId + " verifies recipients, and " + ((RecipientProbe.NotAsked) answer).reason());
    }

    private static HookResult softFailure(String why) {
        LOGGER.info("RCPT deferred: {}", why);
        return HookResult.builder().hookReturnCode(HookReturnCode.denySoft()).smtpReturnCode("451")
            .smtpDescription("4.4.3 Cannot verify the recipient now, try again later").build();
    }
}
