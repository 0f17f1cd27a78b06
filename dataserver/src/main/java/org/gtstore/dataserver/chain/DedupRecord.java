package org.gtstore.dataserver.chain;

/** One (client id, request id) applied with {@code seq} in {@code partition}. */
public record DedupRecord(int partition, String clientId, long requestId, long seq) {
}
