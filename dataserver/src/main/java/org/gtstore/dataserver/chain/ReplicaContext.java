package org.gtstore.dataserver.chain;

import java.util.Map;

/**
 * The replica-wide facts every part of a {@link ChainReplica} acts on: who this server is, its
 * config, the map epoch and the logical clock, the dedup table, what the partitions keep for
 * their successors. {@link ChainReplica} alone advances the epoch, the clock and the
 * incarnations; the partitions, their feeds and the peer protocol read them, and change only
 * the counters they own (retained bytes, copy ids, dedup entries of what they apply).
 * What a step produces goes to {@link Effects}, never here.
 */
final class ReplicaContext {
    final String selfId;
    final ChainReplicaConfig config;
    final DedupTable dedup;
    /** The epoch of the map this replica acts on. */
    long epoch;
    /** The logical clock: ticks since this replica started. */
    long tick;
    /** Bytes of updates every partition keeps for its successor (see {@link Retained}). */
    long retainedBytes;
    /** Every server's incarnation in the current map (a caught-up report names its peer's). */
    Map<String, Long> incarnations = Map.of();
    private long nextCopyId = 1;
    private long nextConditionCheck = 1;

    /** @param lastJournal the store's last journal record: Readies number theirs from the next */
    ReplicaContext(String selfId, ChainReplicaConfig config, long lastJournal) {
        this.selfId = selfId;
        this.config = config;
        this.dedup = new DedupTable(config.dedupEntriesMax(), lastJournal + 1);
    }

    /**
     * A new id for a condition check, unique in this process: an answer still queued for a
     * partition this server left and took again never matches a later check.
     */
    long newConditionCheck() {
        return nextConditionCheck++;
    }

    /** A new id for a state transfer this server sends. */
    long newCopyId() {
        return nextCopyId++;
    }
}
