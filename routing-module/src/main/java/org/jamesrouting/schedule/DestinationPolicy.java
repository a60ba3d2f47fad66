package org.jamesrouting.schedule;

import java.util.Optional;
import java.util.function.Function;

import org.jamesrouting.route.Rate;

/**
 * Which hold and which pace apply to a destination (as the limits name it: {@code route <id>},
 * {@code smart host}, {@code mx:<domain>}): its own, else — for an MX destination — those of
 * the first {@link MxSets MX set} its best MX host is in. The best MX host is looked up (through
 * the DNS cache) only when some hold or rate names an MX set. One place for the rule: delivery,
 * the queue actions and explain ask it.
 */
public final class DestinationPolicy {
    /** The pace a destination goes at: the {@code key} whose budget it uses (itself or its MX set), and the rate. */
    public record Pace(String key, Rate rate) {
    }

    private final Holds holds;
    private final DestinationRates rates;
    private final Function<String, Optional<String>> bestMxHost;
    private final boolean ratesNameMxSets;

    /** @param bestMxHost a domain's lowest-preference MX host name; empty when it has none or is pinned */
    public DestinationPolicy(Holds holds, DestinationRates rates, Function<String, Optional<String>> bestMxHost) {
        this.holds = holds;
        this.rates = rates;
        this.bestMxHost = bestMxHost;
        this.ratesNameMxSets = MxSets.anyIn(rates.rates().keySet());
    }

    /** Whether this very name is on hold (a route's, whatever its next hop). */
    public boolean isHeld(String name) {
        return holds.isHeld(name);
    }

    /** The hold the destination's mail is kept under: the destination's own, or its MX set's. */
    public Optional<String> heldAs(String destination) {
        if (holds.isHeld(destination)) {
            return Optional.of(destination);
        }
        if (!holds.namesMxSets()) {
            return Optional.empty();
        }
        return bestMx(destination).flatMap(host -> MxSets.firstHolding(holds.all().keySet(), host));
    }

    /**
     * The destination's pace from {@code <destinationRates>}: its own line, else its MX set's
     * (the first line naming a set its best MX host is in). A route's own {@code rate=} is the
     * caller's and wins over both.
     */
    public Optional<Pace> pace(String destination) {
        Optional<Rate> own = rates.of(destination);
        if (own.isPresent()) {
            return Optional.of(new Pace(destination, own.get()));
        }
        if (!ratesNameMxSets) {
            return Optional.empty();
        }
        return bestMx(destination).flatMap(host -> rates.mxSetHolding(host)).map(set -> new Pace(set, rates.of(set).orElseThrow()));
    }

    /**
     * Whether an operator's action for {@code selected} (a destination or an MX set) takes mail
     * whose destination is {@code destination}.
     */
    public boolean selects(String selected, String destination) {
        if (selected.equals(destination)) {
            return true;
        }
        return MxSets.isMxSet(selected) && bestMx(destination).filter(host -> MxSets.contains(selected, host)).isPresent();
    }

    /** The best MX host of an {@code mx:<domain>} destination. */
    public Optional<String> bestMx(String destination) {
        if (!destination.startsWith("mx:") || destination.contains(" ")) {
            return Optional.empty();
        }
        return bestMxHost.apply(destination.substring(3));
    }
}
