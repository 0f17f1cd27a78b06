package org.gtstore.dataserver.storage;

import com.google.protobuf.ByteString;
import org.gtstore.proto.Ttl;

/**
 * A key's latest applied value with its version (the partition sequence number of the write)
 * and when it expires ({@code expiresAtMs}, wall-clock ms since the epoch; 0: never). A delete
 * is stored as a tombstone, so a replica that missed the delete can still be told about it by
 * version, and a get reads it as "not found"; so does a get of an expired value, until the
 * head's delete of it arrives.
 */
public record StoredValue(ByteString value, long version, boolean tombstone, long expiresAtMs) {

    /** A value that never expires, or a tombstone. */
    public StoredValue(ByteString value, long version, boolean tombstone) {
        this(value, version, tombstone, 0);
    }

    /** True if this is a value (not a tombstone) that has not expired at {@code nowMs}. */
    public boolean liveAt(long nowMs) {
        return !tombstone && !Ttl.expired(expiresAtMs, nowMs);
    }
}
