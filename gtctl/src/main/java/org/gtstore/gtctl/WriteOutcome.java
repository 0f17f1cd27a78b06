package org.gtstore.gtctl;

import java.util.List;

/** The result of a put or delete as gtctl prints it. */
public record WriteOutcome(String serverId, long version, long epoch, List<String> chain) {
    public WriteOutcome {
        chain = chain == null ? List.of() : List.copyOf(chain);
    }
}
