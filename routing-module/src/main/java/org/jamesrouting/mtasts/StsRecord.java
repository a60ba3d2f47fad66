package org.jamesrouting.mtasts;

import java.util.List;
import java.util.Optional;

/**
 * The {@code _mta-sts.<domain>} TXT record (RFC 8461 §3.1): {@code v=STSv1; id=20260101T000000;}.
 * Records that do not start with {@code v=STSv1} are not ours; when not exactly one is left, or
 * it is not valid, the domain has no policy.
 */
public final class StsRecord {
    private StsRecord() {
    }

    /** The policy id of the one STSv1 record among {@code records}; empty when the domain has none (or not exactly one valid). */
    public static Optional<String> idOf(List<String> records) {
        List<String> ours = records.stream().filter(record -> record.startsWith("v=STSv1;") || record.equals("v=STSv1")).toList();
        if (ours.size() != 1) {
            return Optional.empty();
        }
        Optional<String> id = Optional.empty();
        for (String field : ours.get(0).split(";")) {
            String trimmed = field.trim();
            if (trimmed.startsWith("id=")) {
                String value = trimmed.substring(3).trim();
                if (!value.matches("[A-Za-z0-9]{1,32}")) {
                    return Optional.empty();
                }
                id = Optional.of(value);
            }
        }
        return id;
    }
}
