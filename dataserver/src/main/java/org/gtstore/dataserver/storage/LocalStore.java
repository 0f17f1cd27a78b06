package org.gtstore.dataserver.storage;

import com.google.protobuf.ByteString;
import java.util.List;
import java.util.Map;
import java.util.Comparator;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.gtstore.proto.Update;

/**
 * A data server's local copy of every partition it holds (etcd's {@code Storage} seam).
 *
 * <p>Contract:
 * <ul>
 * <li>{@link #apply} is atomic: after a crash either every update of the call and the new last
 *     applied seqs are visible, or none is. It validates the whole batch first, so a bad batch
 *     throws {@link IllegalArgumentException} and changes nothing.
 * <li>An applied batch survives a process kill; it survives a power cut once {@link #sync}
 *     has returned after it. The replica protocol relies only on "applied before sent", and in
 *     the fsync durability mode on "synced before sent".
 * <li>Each key keeps only its latest value with that write's version; history is not kept. A
 *     copied entry (state transfer) replaces the stored value only if its version is newer.
 * <li>The last applied seq of a partition always equals the highest version applied to it,
 *     because both are written in the same batch; {@link #appliedSeqs()} is what a restarted
 *     server recovers.
 * <li>Every batch is one journal record, numbered by the writer ({@link StoreBatch#journal()},
 *     increasing); the dedup entries a batch adds live as long as its record, which the store
 *     keeps at least until a later batch's {@link StoreBatch#journalKeepFrom()} passes it.
 * <li>Every stored value with an expiry has an entry in the expiry index
 *     ({@link #dueExpiries}), added in the same batch; entries are removed only by
 *     {@link #forgetExpiries}, so the index may also hold entries of overwritten writes.
 * <li>Only one thread calls {@link #apply}; reads and scans may run concurrently from any
 *     thread and see a consistent state per call.
 * </ul>
 */
public interface LocalStore extends AutoCloseable {

    /** Applies the batch atomically, in the order {@link StoreBatch} gives. */
    void apply(StoreBatch batch);

    /**
     * Applies the updates in order and stores the given last applied seqs, atomically, as the
     * next journal record, forgetting no dedup entry.
     */
    default void apply(List<Update> updates, Map<Integer, Long> appliedSeqs) {
        apply(StoreBatch.of(lastJournal() + 1, updates, appliedSeqs));
    }

    /**
     * Where the log record of an applied batch goes before {@link #apply} returns: with false
     * (the default) to the log file, so a process kill loses nothing; with true only to memory,
     * and {@link #sync} writes and syncs it, so nothing unsynced reaches the file and a process
     * kill loses what a power cut would (the fsync durability mode, where only synced batches
     * are ever acknowledged or forwarded). Called by the thread that calls {@link #apply}, when
     * no sync is running.
     */
    void logAtSyncOnly(boolean atSyncOnly);

    /**
     * Makes every batch applied before the call survive a power cut (an fsync of the log).
     * Blocks for the disk; runs on a thread other than the one calling {@link #apply}, one call
     * at a time, while batches go on being applied.
     */
    void sync();

    /** The number of the last journal record applied (0 for an empty store). */
    long lastJournal();

    /** The chain epoch each partition was joined in as the joining replica, if still stored. */
    Map<Integer, Long> joinEpochs();

    /**
     * Per partition in the middle of a copy in version order: the copy's snapshot seq, below
     * which the partition's state has holes (versions the copy skipped or has not sent yet).
     */
    Map<Integer, Long> commitHolds();

    /** Every partition's stored lineage (see {@link StoreBatch}), as it was given. */
    Map<Integer, byte[]> lineages();

    /**
     * The stored dedup entries (what a restarted server remembers of recent requests), oldest
     * first, each with the journal record it was stored in. Entries of records older than the
     * last {@code journalKeepFrom} may still be there: remembering more is safe.
     */
    List<StoredDedup> dedupEntries();

    /**
     * A consistent view of one partition as of now, for a copy that reads it from another thread
     * while {@link #apply} goes on.
     */
    PartitionSnapshot snapshot(int partition);

    /** The latest applied value of a key (possibly a tombstone), or null if never written. */
    StoredValue get(int partition, ByteString key);

    /** The last applied seq of every partition this store has seen. */
    Map<Integer, Long> appliedSeqs();

    /** Calls {@code sink} for every key of a partition, in key order, tombstones included. */
    void scan(int partition, Consumer<StoredEntry> sink);

    /**
     * Calls {@code sink} for the keys of a partition that start with {@code prefix} and come
     * after {@code afterKey} (empty: from the first), in key order (unsigned bytes), tombstones
     * included, until it returns false. This default reads the whole partition; a store with
     * ordered keys seeks instead.
     */
    default void scan(int partition, ByteString prefix, ByteString afterKey,
            Predicate<StoredEntry> sink) {
        boolean[] stopped = {false};
        Comparator<ByteString> order = ByteString.unsignedLexicographicalComparator();
        scan(partition, e -> {
            if (!stopped[0] && e.key().startsWith(prefix)
                    && (afterKey.isEmpty() || order.compare(e.key(), afterKey) > 0)) {
                stopped[0] = !sink.test(e);
            }
        });
    }

    /**
     * Up to {@code limit} entries of the expiry index due at {@code nowMs} (expiring at or
     * before it), in index order, after {@code after} (null: from the first). Stale entries
     * (their write was overwritten or deleted since, or their partition discarded) are
     * included: the caller tells them apart by reading the key.
     */
    List<ExpiryEntry> dueExpiries(long nowMs, ExpiryEntry after, int limit);

    /**
     * Removes entries from the expiry index (stale ones the sweep found). Not part of any
     * journal record: the index only tells the head which keys to delete, and a stale entry
     * names a write that is gone. Called by the thread that calls {@link #apply}.
     */
    void forgetExpiries(List<ExpiryEntry> entries);

    /** Keys of a partition whose latest value is not a tombstone. */
    default long countLiveKeys(int partition) {
        long[] n = new long[1];
        scan(partition, e -> {
            if (!e.value().tombstone()) {
                n[0]++;
            }
        });
        return n[0];
    }

    @Override
    void close();

    /** Rejects a batch before any of it is written. */
    static void validate(StoreBatch b, long lastJournal) {
        if (b.journal() <= lastJournal) {
            throw new IllegalArgumentException("journal record " + b.journal()
                    + " is not after the last one, " + lastJournal);
        }
        if (b.journalKeepFrom() < 0 || b.journalKeepFrom() > b.journal()) {
            throw new IllegalArgumentException("journalKeepFrom " + b.journalKeepFrom()
                    + " outside [0, " + b.journal() + "]");
        }
        validate(b.updates(), b.appliedSeqs());
        for (int p : b.resets()) {
            if (p < 0) {
                throw new IllegalArgumentException("reset of partition < 0: " + p);
            }
        }
    }

    /** Rejects a batch before any of it is written. */
    static void validate(List<Update> updates, Map<Integer, Long> appliedSeqs) {
        for (Update u : updates) {
            if (u.getPartition() < 0) {
                throw new IllegalArgumentException("partition < 0: " + u.getPartition());
            }
            if (u.getSeq() <= 0) {
                throw new IllegalArgumentException("seq <= 0: " + u.getSeq());
            }
            if (u.getKey().isEmpty()) {
                throw new IllegalArgumentException("key is empty in partition "
                        + u.getPartition() + " seq " + u.getSeq());
            }
        }
        for (Map.Entry<Integer, Long> e : appliedSeqs.entrySet()) {
            if (e.getKey() < 0 || e.getValue() < 0) {
                throw new IllegalArgumentException("bad applied seq: partition " + e.getKey()
                        + " seq " + e.getValue());
            }
        }
    }
}
