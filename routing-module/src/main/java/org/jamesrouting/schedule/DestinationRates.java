package org.jamesrouting.schedule;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.jamesrouting.route.Rate;

/**
 * The pace of destinations that are not routes (the OutboundRouter's {@code <destinationRates>}):
 * {@code smart host 100/m, mx:gmail.com 60/m, example.org 10/m}. A destination is named as
 * status names it ({@link Holds#destinationOf}: {@code smart host}, {@code mx:<domain>} or a
 * bare domain, {@code route <id>}); a route's own {@code rate=} wins over a line here.
 */
public record DestinationRates(Map<String, Rate> rates) {
    public static final DestinationRates NONE = new DestinationRates(Map.of());

    public DestinationRates {
        rates = Map.copyOf(rates);
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
}
