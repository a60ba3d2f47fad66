package org.jamesrouting.engine;

import java.util.Optional;

import org.jamesrouting.delivery.DeliveryStats;
import org.jamesrouting.delivery.OutboundConfiguration;
import org.jamesrouting.dns.DomainNameCache;
import org.jamesrouting.dns.MailDns;
import org.jamesrouting.mtasts.MtaStsPolicies;
import org.jamesrouting.nexthop.NextHopPlanner;
import org.jamesrouting.schedule.DestinationLimits;
import org.jamesrouting.smtpclient.ConnectionPool;
import org.jamesrouting.smtpclient.SmtpClientSettings;

/**
 * The running router as the operator's views see it (explain, doctor, status, queue): its
 * settings, planner and DNS, and what it is doing (limits in use, statistics, kept connections).
 */
public record Running(OutboundConfiguration configuration, NextHopPlanner planner, MailDns dns, DomainNameCache cache,
                      DestinationLimits limits, DeliveryStats stats, SmtpClientSettings settings, Optional<MtaStsPolicies> mtaSts,
                      ConnectionPool pool) {
}
