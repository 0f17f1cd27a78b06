package org.gtstore.dataserver.storage;

import com.google.protobuf.ByteString;

/**
 * One entry of a store's expiry index: the write of {@code key} with {@code version} in
 * {@code partition} expires at {@code expiresAtMs}. The store adds one for every applied or
 * copied value with an expiry, and removes it only when told ({@link LocalStore#forgetExpiries}):
 * an entry whose write was overwritten since stays until its time comes, when the sweep finds
 * it stale. Entries sort by time, then partition, version and key.
 */
public record ExpiryEntry(long expiresAtMs, int partition, long version, ByteString key)
        implements Comparable<ExpiryEntry> {

    @Override
    public int compareTo(ExpiryEntry o) {
        int c = Long.compare(expiresAtMs, o.expiresAtMs);
        if (c == 0) {
            c = Integer.compare(partition, o.partition);
        }
        if (c == 0) {
            c = Long.compare(version, o.version);
        }
        return c != 0 ? c : ByteString.unsignedLexicographicalComparator().compare(key, o.key);
    }
}
