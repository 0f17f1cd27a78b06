package org.gtstore.dataserver.chain;

import com.google.protobuf.ByteString;

/**
 * One (client id, request id) applied with {@code seq} in {@code partition}, writing {@code key};
 * {@code journal} is the store's journal record holding it (0 for an entry that arrived with a
 * copy and is not stored yet).
 */
public record DedupRecord(int partition, String clientId, long requestId, long seq,
        ByteString key, long journal) {
}
