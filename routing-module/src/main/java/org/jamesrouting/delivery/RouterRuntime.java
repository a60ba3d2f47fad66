package org.jamesrouting.delivery;

import org.jamesrouting.nexthop.NextHopPlanner;
import org.jamesrouting.schedule.DestinationLimits;
import java.util.Optional;

import org.jamesrouting.dns.DomainNameCache;
import org.jamesrouting.dns.MailDns;

/**
 * What the running outbound router uses — its settings, planner and DNS — for the operator's
 * views (explain, smart host, DNS cache). Set by the OutboundRouter mailet when it starts.
 */
public class RouterRuntime {
    /** The running router, for webadmin: its settings, planner, DNS, and what it is doing (limits in use, statistics). */
    public record Active(OutboundConfiguration configuration, NextHopPlanner planner, MailDns dns, DomainNameCache cache,
                         DestinationLimits limits, DeliveryStats stats, org.jamesrouting.smtpclient.SmtpClientSettings settings,
                         java.util.Optional<org.jamesrouting.mtasts.MtaStsPolicies> mtaSts) {
    }

    private volatile Active active;

    public void register(Active active) {
        this.active = active;
    }

    public Optional<Active> active() {
        return Optional.ofNullable(active);
    }
}
