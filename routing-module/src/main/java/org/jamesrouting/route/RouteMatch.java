package org.jamesrouting.route;

/** The route an address takes and its 1-based position in the table; {@link #reason()} says why. */
public record RouteMatch(Route route, int position, RoutingAddress address) {
    public String reason() {
        return address.asString() + " matches pattern '" + route.pattern().asString()
            + "' (" + route.pattern().describe() + ") of " + route.source().asString() + " route " + route.id()
            + (route.conditions().isEmpty() ? "" : " and the message meets its conditions (" + route.conditions().describe() + ")")
            + ", the first matching enabled route, at position " + position;
    }
}
