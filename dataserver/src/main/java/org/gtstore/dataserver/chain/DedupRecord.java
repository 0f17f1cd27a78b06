package org.gtstore.dataserver.chain;

import com.google.protobuf.ByteString;

/**
 * One (client id, request id) applied with {@code seq} in {@code partition}, writing {@code key}
 * (empty where it is not needed: an eviction, which deletes by id).
 */
public record DedupRecord(int partition, String clientId, long requestId, long seq,
        ByteString key) {
}
