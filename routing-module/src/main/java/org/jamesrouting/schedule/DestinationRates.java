package org.jamesrouting.schedule;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.jamesrouting.route.Rate;

/**
 * The pace of destinations that are not routes (the OutboundRouter's {@code <destinationRates>}):
 * {@code smart host 100/m, mx:gmail.com 60/m, example.org 10/m}. A destination is named as
 * status names it ({@link Holds#destinationOf}: {@code smart host}, {@code mx:<domain>} or a
 * bare domain, {@code route <id>}), or an {@link MxSets MX set} ({@code mxset:*.google.com 300/m}:
 * one budget for all the domains whose best MX host matches); a route's own {@code rate=} wins
 * over a line here, a domain's own line over its MX set's.
 */
public record DestinationRates(Map<String, Rate> rates) {
    public static final DestinationRates NONE = new DestinationRates(Map.of());

    public DestinationRates {
        rates = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rates)); // in the order written: the first MX set wins
    }

    /** @throws IllegalArgumentException naming the entry and the problem */
    public static DestinationRates parse(String text) {
        Map<String, Rate> rates = new LinkedHashMap<>();
        for (String entry : (text == null ? "" : text).split(",")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int space = trimmed.lastIndexOf(' ');
            if (space < 0) {
                throw new IllegalArgumentException("'" + trimmed + "': write a destination and its rate, such as 'smart host 100/m'");
            }
            String destination;
            Rate rate;
            try {
                destination = Holds.destinationOf(trimmed.substring(0, space));
                rate = Rate.parse(trimmed.substring(space + 1));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + trimmed + "': " + e.getMessage());
            }
            if (rates.put(destination, rate) != null) {
                throw new IllegalArgumentException("'" + trimmed + "': " + destination + " is given twice");
            }
        }
        return new DestinationRates(rates);
    }

    public Optional<Rate> of(String destination) {
        return Optional.ofNullable(rates.get(destination));
    }

    /** The first MX set written here that holds {@code mxHost}. */
    public Optional<String> mxSetHolding(String mxHost) {
        return MxSets.firstHolding(rates.keySet(), mxHost);
    }
}
