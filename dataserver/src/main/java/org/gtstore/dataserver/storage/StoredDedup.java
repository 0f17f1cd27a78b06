package org.gtstore.dataserver.storage;

import com.google.protobuf.ByteString;

/**
 * A stored dedup entry: (client id, request id) was applied with {@code seq} in a partition and
 * wrote {@code key}; it was stored with journal record {@code journal} (0 for an entry not yet
 * stored). The key lets a copy in version order send each entry with the key it belongs to (see
 * {@code CopyChunk.dedup}).
 */
public record StoredDedup(int partition, String clientId, long requestId, long seq,
        ByteString key, long journal) {

    public StoredDedup {
        if (key == null) {
            throw new IllegalArgumentException("key is null");
        }
    }
}
