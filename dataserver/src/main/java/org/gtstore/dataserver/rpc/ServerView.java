package org.gtstore.dataserver.rpc;

import java.util.Map;
import java.util.Set;
import org.gtstore.proto.PassHistogram;

/**
 * A read-only view of the server for Ping and GetStats, safe to call from any thread.
 */
public interface ServerView {
    String serverId();

    /** The epoch of the map the replica has applied. */
    long epoch();

    /** The incarnation the metadata gave at the last registration, 0 before. */
    long incarnation();

    /** Partitions this server heads. */
    Set<Integer> headedPartitions();

    /** Partitions this server holds as a chain member (heading included). */
    Set<Integer> heldPartitions();

    /** Live (non-deleted) keys of a partition in the local store. */
    long liveKeys(int partition);

    /** The last applied seq of every partition in the local store. */
    Map<Integer, Long> appliedSeqs();

    /** The driver's passes so far, as a histogram of their durations. */
    PassHistogram passes();
}
