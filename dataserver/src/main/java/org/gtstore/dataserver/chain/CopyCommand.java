package org.gtstore.dataserver.chain;

/**
 * What the {@link ChainReplica} asks the driver's copier to do for a state transfer. The copy
 * decisions (when to start, how many chunks may be in flight, when to stop) are the replica's;
 * reading the store is IO, so the driver does it on a copy thread and hands every chunk back as
 * a {@link ChainEvent.CopyChunkRead}.
 */
public sealed interface CopyCommand {

    long copyId();

    /**
     * Take a consistent snapshot of {@code partition} now, after this Ready's writes are
     * persisted (so it holds exactly the updates up to {@code snapshotSeq}), and read up to
     * {@code credits} chunks of the keys whose version is after {@code fromVersion}: in key
     * order, or, if {@code versionOrder} (the receiver is a member), in ascending version (the
     * copier then holds those keys in memory: the gap of a restarted member, not a partition).
     */
    record Start(long copyId, int partition, String peer, long fromVersion, long snapshotSeq,
            int credits, boolean versionOrder) implements CopyCommand {
    }

    /** The receiver persisted a chunk: read {@code credits} more. */
    record Pull(long copyId, int credits) implements CopyCommand {
    }

    /** The copy is no longer wanted: release its snapshot. */
    record Cancel(long copyId) implements CopyCommand {
    }
}
