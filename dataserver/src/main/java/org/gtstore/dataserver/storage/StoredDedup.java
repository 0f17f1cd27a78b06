package org.gtstore.dataserver.storage;

/** A stored dedup entry: (client id, request id) was applied with {@code seq} in a partition. */
public record StoredDedup(int partition, String clientId, long requestId, long seq) {
}
