package org.jamesrouting.route;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What route conditions look at besides the recipient: the envelope sender, the SMTP AUTH user
 * and the message's headers. Unknown parts (an explain without a sender, say) match no condition
 * on them.
 *
 * @param sender the envelope sender, "" for the null sender {@code <>}; empty when unknown
 * @param authUser the user the client authenticated as, if it did
 * @param headers a header's (decoded) values by name, case-insensitive; empty list if absent
 */
public record MessageContext(Optional<String> sender, Optional<String> authUser, Function<String, List<String>> headers) {
    /** Nothing known: routes with conditions never match it. */
    public static final MessageContext UNKNOWN = new MessageContext(Optional.empty(), Optional.empty(), name -> List.of());

    public static MessageContext of(String sender, Optional<String> authUser, Map<String, List<String>> headers) {
        return new MessageContext(Optional.of(sender), authUser, headerLookup(headers));
    }

    /** Header values by name, ignoring the name's case. */
    public static Function<String, List<String>> headerLookup(Map<String, List<String>> headers) {
        Map<String, List<String>> byLowerName = new java.util.HashMap<>();
        headers.forEach((name, values) -> byLowerName.computeIfAbsent(name.toLowerCase(Locale.ROOT), any -> new java.util.ArrayList<>())
            .addAll(values));
        return name -> byLowerName.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }
}
