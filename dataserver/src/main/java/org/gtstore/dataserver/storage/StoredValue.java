package org.gtstore.dataserver.storage;

import com.google.protobuf.ByteString;

/**
 * A key's latest applied value with its version (the partition sequence number of the write).
 * A delete is stored as a tombstone, so a replica that missed the delete can still be told about
 * it by version, and a get reads it as "not found".
 */
public record StoredValue(ByteString value, long version, boolean tombstone) {
}
