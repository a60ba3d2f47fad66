package org.jamesrouting.route;

/** A routing table that cannot be used; the message names the file, the line and the problem. */
public class RouteTableException extends IllegalArgumentException {
    public RouteTableException(String message) {
        super(message);
    }
}
