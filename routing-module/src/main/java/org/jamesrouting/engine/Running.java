package org.jamesrouting.engine;

import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.jamesrouting.delivery.MailContexts;
import org.jamesrouting.route.MessageContext;
import org.jamesrouting.route.RoutingAddress;
import org.jamesrouting.route.RoutingTable;

import org.jamesrouting.delivery.DeliveryStats;
import org.jamesrouting.delivery.OutboundConfiguration;
import org.jamesrouting.dns.DomainNameCache;
import org.jamesrouting.dns.MailDns;
import org.jamesrouting.mtasts.MtaStsPolicies;
import org.jamesrouting.nexthop.NextHopPlanner;
import org.jamesrouting.schedule.DestinationLimits;
import org.jamesrouting.schedule.DestinationPolicy;
import org.jamesrouting.schedule.RateShaper;
import org.jamesrouting.smtpclient.ConnectionPool;
import org.jamesrouting.smtpclient.SmtpClientSettings;

/**
 * The running router as the operator's views see it (explain, doctor, status, queue): its
 * settings, planner and DNS, which hold and pace apply to a destination, and what it is doing
 * (limits in use, statistics, kept connections).
 */
public record Running(OutboundConfiguration configuration, NextHopPlanner planner, MailDns dns, DomainNameCache cache,
                      DestinationLimits limits, DeliveryStats stats, SmtpClientSettings settings, Optional<MtaStsPolicies> mtaSts,
                      ConnectionPool pool, RateShaper shaper, DestinationPolicy policy, org.jamesrouting.tlsrpt.TlsReportSender tlsReports) {
    /** The destination(s) the router would try first for the mail's recipients, as in its limits, statistics and holds ("a + b"). */
    public String destinationOf(RoutingTable table, Mail mail) {
        MessageContext context = MailContexts.of(mail);
        Set<String> destinations = new LinkedHashSet<>();
        for (MailAddress recipient : mail.getRecipients()) {
            RoutingAddress address = RoutingAddress.of(recipient);
            destinations.add(DestinationLimits.destinationOf(planner.plan(address, table.resolve(address, context))));
        }
        return String.join(" + ", destinations);
    }
}
