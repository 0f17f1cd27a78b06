package org.gtstore.metadata.service;

import java.util.concurrent.CompletableFuture;

/**
 * Proof that this member still leads, for answers that grant a data server its lease.
 *
 * <p>A member that lost its majority (cut off, paused) goes on believing it leads until Ratis
 * makes it step down, up to an election timeout later; meanwhile the others elect a new leader.
 * A heartbeat answered in that window would extend a server's lease while the new leader counts
 * its failure timeout. An answer confirmed by {@link #confirm} was given by a member that a
 * majority still followed at some moment after the heartbeat arrived, so after it was sent:
 * any newer leader is elected after that moment and gives every server a fresh failure timeout
 * from then on, which is longer than the lease the server counts from its send time.
 */
@FunctionalInterface
public interface LeadershipCheck {

    /**
     * Completes with true once a majority has accepted this member's leadership (an entry of
     * its term) at a moment after {@code sinceNanos}; false if not (not the leader, no
     * majority in time). Never completes exceptionally.
     *
     * @param sinceNanos when the request to be answered arrived, on {@link System#nanoTime}
     */
    CompletableFuture<Boolean> confirm(long sinceNanos);
}
