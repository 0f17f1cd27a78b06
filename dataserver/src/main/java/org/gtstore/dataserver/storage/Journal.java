package org.gtstore.dataserver.storage;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The in-memory side of a store's journal, shared by {@link RocksDbStore} and
 * {@link InMemoryStore}: the current applied seq of every partition, the last record number,
 * and which old records to delete.
 *
 * <p>Records are deleted in whole ranges, at most one range per {@code trimStep} records: when a
 * batch's {@link StoreBatch#journalKeepFrom()} has moved that far past the last deletion, the
 * batch also deletes the records below it and writes a {@link JournalRecord.Checkpoint} of every
 * partition's applied seq, since the deleted records took their seqs with them.
 *
 * <p>Recovery reads the checkpoint, then every record still stored, oldest first: the applied
 * seqs of the records after the checkpoint, and the dedup entries of all of them (a record
 * older than the writer's last keepFrom may still be there; its entries are true, so
 * remembering them is safe).
 */
final class Journal {
    /** Records [{@code from}, {@code to}) to delete, and the checkpoint written with that. */
    record Trim(long from, long to, byte[] checkpoint) {
    }

    private final int trimStep;
    private final Map<Integer, Long> applied;
    private long last;
    /** Records below this one are deleted. */
    private long keptFrom;

    private Journal(int trimStep, Map<Integer, Long> applied, long last, long keptFrom) {
        if (trimStep < 1) {
            throw new IllegalArgumentException("trimStep < 1: " + trimStep);
        }
        this.trimStep = trimStep;
        this.applied = applied;
        this.last = last;
        this.keptFrom = keptFrom;
    }

    /** The journal of an empty store. */
    static Journal empty(int trimStep) {
        return new Journal(trimStep, new HashMap<>(), 0, 0);
    }

    /** The journal recovered from a checkpoint and the records stored, oldest first. */
    static Journal recover(int trimStep, JournalRecord.Checkpoint checkpoint,
            List<JournalRecord> records) {
        Map<Integer, Long> applied = new HashMap<>(checkpoint.appliedSeqs());
        long last = checkpoint.journal();
        for (JournalRecord r : records) {
            if (r.journal() > checkpoint.journal()) {
                r.resets().forEach(applied::remove);
                applied.putAll(r.appliedSeqs());
            }
            last = Math.max(last, r.journal());
        }
        long keptFrom = records.isEmpty() ? last : records.get(0).journal();
        return new Journal(trimStep, applied, last, keptFrom);
    }

    long last() {
        return last;
    }

    Map<Integer, Long> appliedSeqs() {
        return new HashMap<>(applied);
    }

    /**
     * The deletion the batch is to carry, or null; nothing changes until {@link #written}.
     * The checkpoint holds the applied seqs as they will be after the batch.
     */
    Trim plan(StoreBatch b) {
        if (b.journalKeepFrom() - keptFrom < trimStep) {
            return null;
        }
        Map<Integer, Long> after = appliedSeqs();
        b.resets().forEach(after::remove);
        after.putAll(b.appliedSeqs());
        return new Trim(keptFrom, b.journalKeepFrom(),
                JournalRecord.encodeCheckpoint(b.journal(), after));
    }

    /** The batch (with its trim, if any) is in the store. */
    void written(StoreBatch b, Trim trim) {
        b.resets().forEach(applied::remove);
        applied.putAll(b.appliedSeqs());
        last = b.journal();
        if (trim != null) {
            keptFrom = trim.to();
        }
    }

    /**
     * The dedup entries the records hold, oldest first, as a writer that added and reset them
     * in this order would remember them: a partition's reset forgets its entries, and an entry
     * added again moves to the newest place. {@code partition} below 0 means every partition.
     */
    static List<StoredDedup> dedupOf(List<JournalRecord> records, int partition) {
        record Id(int partition, String clientId, long requestId) {
        }
        LinkedHashMap<Id, StoredDedup> out = new LinkedHashMap<>();
        for (JournalRecord r : records) {
            for (int p : r.resets()) {
                if (partition < 0 || p == partition) {
                    out.values().removeIf(d -> d.partition() == p);
                }
            }
            for (StoredDedup d : r.dedup()) {
                if (partition < 0 || d.partition() == partition) {
                    Id id = new Id(d.partition(), d.clientId(), d.requestId());
                    out.remove(id);
                    out.put(id, d);
                }
            }
        }
        return new ArrayList<>(out.values());
    }
}
