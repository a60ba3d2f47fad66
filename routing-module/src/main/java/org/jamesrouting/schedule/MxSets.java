package org.jamesrouting.schedule;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

import org.jamesrouting.route.Wildcard;

/**
 * MX sets, KumoMTA's unit of shaping: all the domains one provider hosts, named by a pattern
 * of their best MX host, {@code mxset:*.google.com} (gmail.com, googlemail.com and every
 * Workspace domain have their lowest-preference MX under google.com). A domain's mail is in a set
 * when its lowest-preference MX host name matches the pattern ({@code *} any characters, {@code ?}
 * one, {@code %} one digit, case ignored, as in routes). Holds and {@code <destinationRates>}
 * take MX sets beside single destinations: one hold or one rate budget for all those domains.
 */
public final class MxSets {
    public static final String PREFIX = "mxset:";

    private MxSets() {
    }

    public static boolean isMxSet(String destination) {
        return destination.startsWith(PREFIX);
    }

    /**
     * {@code mxset:<pattern>}, the pattern in lower case.
     *
     * @throws IllegalArgumentException not a host name pattern
     */
    public static String name(String pattern) {
        String lower = pattern.trim().toLowerCase(Locale.ROOT);
        if (lower.isEmpty() || !lower.matches("[a-z0-9.*?%_-]+") || lower.contains("..") || lower.startsWith(".")) {
            throw new IllegalArgumentException("'" + PREFIX + pattern.trim() + "': an MX set is a pattern of MX host names, "
                + "such as mxset:*.google.com (letters, digits, '.', '-', and the wildcards * ? %)");
        }
        return PREFIX + (lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower);
    }

    /** Whether {@code mxHost} is in the set named {@code mxSet}. */
    public static boolean contains(String mxSet, String mxHost) {
        String host = mxHost.endsWith(".") ? mxHost.substring(0, mxHost.length() - 1) : mxHost;
        return isMxSet(mxSet) && Wildcard.parse(mxSet.substring(PREFIX.length())).matches(host);
    }

    /** The first of these destinations that is an MX set holding {@code mxHost}. */
    public static Optional<String> firstHolding(Collection<String> destinations, String mxHost) {
        return destinations.stream().filter(destination -> contains(destination, mxHost)).findFirst();
    }

    /** Whether any of these destinations is an MX set. */
    public static boolean anyIn(Collection<String> destinations) {
        return destinations.stream().anyMatch(MxSets::isMxSet);
    }
}
