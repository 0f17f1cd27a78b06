package org.gtstore.gtctl.kv;

import java.util.List;

/** The result of a get as gtctl prints it; {@code value} is null when not found. */
public record ReadOutcome(
        boolean found,
        String value,
        String serverId,
        long version,
        long epoch,
        List<String> chain) {
    public ReadOutcome {
        chain = chain == null ? List.of() : List.copyOf(chain);
    }
}
