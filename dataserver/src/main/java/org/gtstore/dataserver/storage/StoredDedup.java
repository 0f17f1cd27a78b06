package org.gtstore.dataserver.storage;

import com.google.protobuf.ByteString;

/**
 * A stored dedup entry: (client id, request id) was applied with {@code seq} in a partition and
 * wrote {@code key} (empty for an entry stored before keys were kept). The key lets a copy in
 * version order send each entry with the key it belongs to (see {@code CopyChunk.dedup}).
 */
public record StoredDedup(int partition, String clientId, long requestId, long seq,
        ByteString key) {

    public StoredDedup {
        if (key == null) {
            throw new IllegalArgumentException("key is null");
        }
    }
}
