package org.jamesrouting.route;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleSupplier;

/**
 * In which order a route's hosts are tried (Exim's {@code hosts_randomize}, Exchange's smart host
 * cost): as written (the default: the first is the primary, the others its fallbacks); in a
 * random order for each delivery ({@code order=random}), spreading the mail evenly; or weighted
 * ({@code a.example*3,b.example*1}): the first host of each delivery is drawn in proportion to
 * the weights, the others follow in a weighted random order. Whatever the order, a host that
 * cannot take the mail now is followed by the next, as always.
 */
public record HostChoice(Order order, List<Integer> weights) {
    public enum Order { IN_ORDER, RANDOM, WEIGHTED }

    public static final HostChoice IN_ORDER = new HostChoice(Order.IN_ORDER, List.of());
    public static final HostChoice RANDOM = new HostChoice(Order.RANDOM, List.of());
    /** A weight at most. */
    public static final int MAX_WEIGHT = 1000;

    public HostChoice {
        weights = List.copyOf(weights);
        if ((order == Order.WEIGHTED) == weights.isEmpty()) {
            throw new IllegalArgumentException("weights are for a weighted order, and only for it");
        }
        if (weights.stream().anyMatch(weight -> weight < 1 || weight > MAX_WEIGHT)) {
            throw new IllegalArgumentException("a host's weight is 1 to " + MAX_WEIGHT + " (write host*3)");
        }
    }

    public static HostChoice weighted(List<Integer> weights) {
        return new HostChoice(Order.WEIGHTED, weights);
    }

    /**
     * The {@code order=} option: {@code random} or {@code in-order}.
     *
     * @throws IllegalArgumentException anything else
     */
    public static HostChoice parseOrder(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "random" -> RANDOM;
            case "in-order" -> IN_ORDER;
            default -> throw new IllegalArgumentException("order: '" + text + "' is not an order: give order=random or order=in-order "
                + "(weights: host*3,other*1)");
        };
    }

    /** Whether each delivery draws its own order. */
    public boolean varies() {
        return order != Order.IN_ORDER;
    }

    /**
     * The hosts in this delivery's order: as given, or drawn (weighted random: each host's key is
     * an exponential draw with its weight as rate, lowest first — the first host is drawn in
     * proportion to the weights, and so on for the rest).
     *
     * @param uniform draws in (0, 1]
     */
    public <T> List<T> arrange(List<T> hosts, DoubleSupplier uniform) {
        if (order == Order.IN_ORDER || hosts.size() < 2) {
            return hosts;
        }
        record Keyed<T>(T host, double key) {
        }
        List<Keyed<T>> keyed = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            double weight = order == Order.WEIGHTED ? weights.get(i) : 1;
            double draw = Math.max(uniform.getAsDouble(), Double.MIN_VALUE);
            keyed.add(new Keyed<>(hosts.get(i), -Math.log(draw) / weight));
        }
        keyed.sort(Comparator.comparingDouble(Keyed::key));
        return keyed.stream().map(Keyed::host).toList();
    }

    /** {@code *3} after the {@code index}-th host, as routes.conf writes it ("" unless weighted). */
    public String weightText(int index) {
        return order == Order.WEIGHTED ? "*" + weights.get(index) : "";
    }

    /** "hosts in a random order for each delivery", "weighted 3:1, the order drawn for each delivery", "" as written. */
    public String describe() {
        return switch (order) {
            case IN_ORDER -> "";
            case RANDOM -> "hosts in a random order for each delivery";
            case WEIGHTED -> "weighted " + String.join(":", weights.stream().map(String::valueOf).toList()) + ", the order drawn for each delivery";
        };
    }

    /** {@code "random"} for {@code order=random}; empty otherwise (weights are written with the hosts). */
    public java.util.Optional<String> orderWord() {
        return order == Order.RANDOM ? java.util.Optional.of("random") : java.util.Optional.empty();
    }

    /** {@code order=random}, or "" (weights are written with the hosts). */
    public String asOption() {
        return order == Order.RANDOM ? "order=random" : "";
    }
}
