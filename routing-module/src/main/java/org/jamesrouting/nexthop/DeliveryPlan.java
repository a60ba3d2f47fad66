package org.jamesrouting.nexthop;

import java.util.List;

/** The hops to try for a recipient, in order, and why (for logs and "explain"). */
public record DeliveryPlan(List<HopGroup> groups, String reason) {
    public DeliveryPlan {
        groups = List.copyOf(groups);
    }
}
