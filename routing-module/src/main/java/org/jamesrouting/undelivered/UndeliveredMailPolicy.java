package org.jamesrouting.undelivered;

import java.util.Map;
import java.util.Objects;

import org.apache.james.core.Domain;
import org.jamesrouting.core.DomainNames;

import com.google.common.collect.ImmutableMap;

/**
 * The undelivered-mail rule: an action per local domain, and a default for the others.
 * Immutable; domains are held normalized (see {@link DomainNames}).
 */
public final class UndeliveredMailPolicy {
    public static final UndeliveredMailPolicy DEFAULT = new UndeliveredMailPolicy(UndeliveredAction.REJECT, ImmutableMap.of());

    private final UndeliveredAction defaultAction;
    private final ImmutableMap<Domain, UndeliveredAction> perDomain;

    public UndeliveredMailPolicy(UndeliveredAction defaultAction, Map<Domain, UndeliveredAction> perDomain) {
        this.defaultAction = Objects.requireNonNull(defaultAction);
        this.perDomain = ImmutableMap.copyOf(perDomain);
    }

    public UndeliveredAction actionFor(Domain domain) {
        return perDomain.getOrDefault(DomainNames.normalize(domain), defaultAction);
    }

    public UndeliveredAction defaultAction() {
        return defaultAction;
    }

    public ImmutableMap<Domain, UndeliveredAction> perDomain() {
        return perDomain;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UndeliveredMailPolicy other
            && defaultAction.equals(other.defaultAction)
            && perDomain.equals(other.perDomain);
    }

    @Override
    public int hashCode() {
        return Objects.hash(defaultAction, perDomain);
    }

    @Override
    public String toString() {
        return "default=" + defaultAction.asString() + " " + perDomain;
    }
}
