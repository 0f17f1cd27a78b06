package org.gtstore.gtctl.kv;

import java.util.List;

/**
 * The result of a put or delete as gtctl prints it: written by {@code serverId} with
 * {@code version}, or (a conditional write whose condition failed, {@code conflict}) not
 * written because the key's committed version is {@code version} (0: it has no value).
 */
public record WriteOutcome(String serverId, long version, long epoch, List<String> chain,
        boolean conflict) {
    public WriteOutcome {
        chain = chain == null ? List.of() : List.copyOf(chain);
    }

    /** A write that was made. */
    public WriteOutcome(String serverId, long version, long epoch, List<String> chain) {
        this(serverId, version, epoch, chain, false);
    }

    /** A conditional write that was not made: the key's version is {@code currentVersion}. */
    public static WriteOutcome conflict(long currentVersion) {
        return new WriteOutcome("", currentVersion, 0, List.of(), true);
    }
}
