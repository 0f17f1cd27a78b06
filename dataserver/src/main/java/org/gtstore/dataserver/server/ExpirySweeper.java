package org.gtstore.dataserver.server;

import java.util.ArrayList;
import java.util.List;
import org.gtstore.dataserver.chain.ChainEvent;
import org.gtstore.dataserver.storage.ExpiryEntry;
import org.gtstore.dataserver.storage.LocalStore;
import org.gtstore.dataserver.storage.StoreException;
import org.gtstore.dataserver.storage.StoredValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the values with a TTL that have expired, so that the heads delete them through their
 * chains (every replica then agrees they are gone, and their space is freed). Reads never wait
 * for it: a get, a scan and a condition already treat an expired value as absent.
 *
 * <p>A sweep reads the store's expiry index from where the last one stopped, at most
 * {@code entriesPerSweep} due entries, and looks each key up: an entry whose write is gone
 * (overwritten, deleted, its partition discarded; a value of the same version with another
 * expiry is another write, after a cut back) is stale and removed from the index; one whose
 * write is still the key's latest is handed to the replica ({@link ChainEvent.ExpiriesDue}),
 * whose heads delete it if it is still the latest in seq order. The next sweep goes on after the
 * last entry read, and starts from the first again once it has read every due entry, so due
 * writes of partitions this server does not head (their head deletes them) never keep it from
 * the others.
 *
 * <p>Runs on the driver's loop between passes, when the store holds every applied batch: no
 * write can slip between reading a key and removing its stale entry. Loop thread only.
 */
public final class ExpirySweeper {
    private static final Logger LOG = LoggerFactory.getLogger(ExpirySweeper.class);
    /** Due entries one sweep reads at most: a few milliseconds of the loop. */
    public static final int ENTRIES_PER_SWEEP = 1_000;

    private final LocalStore store;
    private final int entriesPerSweep;
    /** The last entry the previous sweep read; null: start from the first. */
    private ExpiryEntry after;

    public ExpirySweeper(LocalStore store, int entriesPerSweep) {
        if (entriesPerSweep < 1) {
            throw new IllegalArgumentException("entriesPerSweep < 1: " + entriesPerSweep);
        }
        this.store = store;
        this.entriesPerSweep = entriesPerSweep;
    }

    /** True if the last sweep read a full page: more entries may be due after it. */
    public boolean behind() {
        return after != null;
    }

    /**
     * One sweep at {@code nowMs}: removes the stale entries it read and returns the due writes
     * for the replica, or null if there are none. A store that cannot be read is logged and
     * skipped (the next sweep tries again).
     */
    public ChainEvent.ExpiriesDue sweep(long nowMs) {
        try {
            List<ExpiryEntry> entries = store.dueExpiries(nowMs, after, entriesPerSweep);
            after = entries.size() < entriesPerSweep ? null : entries.get(entries.size() - 1);
            List<ExpiryEntry> stale = new ArrayList<>();
            List<ChainEvent.ExpiredWrite> due = new ArrayList<>();
            for (ExpiryEntry e : entries) {
                StoredValue v = store.get(e.partition(), e.key());
                if (v == null || v.tombstone() || v.version() != e.version()
                        || v.expiresAtMs() != e.expiresAtMs()) {
                    stale.add(e);
                } else {
                    due.add(new ChainEvent.ExpiredWrite(e.partition(), e.key(), e.version()));
                }
            }
            store.forgetExpiries(stale);
            return due.isEmpty() ? null : new ChainEvent.ExpiriesDue(due, nowMs);
        } catch (StoreException e) {
            LOG.warn("the expiry sweep could not read the store: {}", e.getMessage());
            after = null;
            return null;
        }
    }
}
