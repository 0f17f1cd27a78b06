package org.gtstore.dataserver.chain;

/**
 * The successor {@code peer} of {@code partition} has applied only up to {@code appliedSeq}, and
 * this replica no longer holds the updates after it in memory (they were acknowledged, or this
 * server restarted). Only a state transfer from the local store can fill the gap: that is the
 * catch-up copy of issue #4, which the driver starts from this request.
 */
public record CatchUpNeeded(int partition, String peer, long appliedSeq, long localAppliedSeq) {
}
