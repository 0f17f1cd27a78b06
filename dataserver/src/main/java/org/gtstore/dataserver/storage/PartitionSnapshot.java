package org.gtstore.dataserver.storage;

import java.util.List;

/**
 * A consistent, read-only view of one partition as of the moment it was taken (a RocksDB
 * snapshot), for a state transfer that runs while the store keeps changing. Read from one thread
 * at a time; {@link #close()} releases it (and must be called).
 */
public interface PartitionSnapshot extends AutoCloseable {

    /** A cursor over the partition's keys in key order, tombstones included. */
    Cursor cursor();

    /** The partition's dedup entries as of the snapshot. */
    List<StoredDedup> dedup();

    @Override
    void close();

    /** Reads one entry at a time; never the whole partition at once. */
    interface Cursor extends AutoCloseable {
        /** The next entry, or null at the end. */
        StoredEntry next();

        @Override
        void close();
    }
}
