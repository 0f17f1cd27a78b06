package org.gtstore.dataserver.storage;

import java.util.List;
import java.util.Map;
import org.gtstore.proto.Update;

/**
 * One atomic write to a {@link LocalStore}, applied in this order: {@code resets} (discard every
 * value, dedup entry and the applied seq of those partitions), {@code updates} in order (a
 * {@code copied} update only if its version is newer than the stored one; every other update
 * with a client id also adds its dedup entry), {@code dedupAdded}, then {@code appliedSeqs},
 * {@code joinEpochs} (the chain epoch a partition was joined in as the joining replica; 0
 * removes it), {@code commitHolds} (the seq a member receiving a copy in version order must
 * apply before its state is whole again; 0 removes it) and {@code lineages} (a partition's
 * history of branches, opaque to the store; an empty array removes it).
 *
 * @param journal this batch's journal record number: greater than every earlier batch's
 *     ({@link LocalStore#lastJournal()}); the dedup entries it adds are stored under it
 * @param journalKeepFrom the oldest journal record still holding a dedup entry the writer
 *     remembers: the store may forget the dedup entries of older records
 */
public record StoreBatch(
        long journal,
        long journalKeepFrom,
        List<Integer> resets,
        List<Update> updates,
        List<StoredDedup> dedupAdded,
        Map<Integer, Long> appliedSeqs,
        Map<Integer, Long> joinEpochs,
        Map<Integer, Long> commitHolds,
        Map<Integer, byte[]> lineages) {

    /** A batch that changes no lineage. */
    public StoreBatch(long journal, long journalKeepFrom, List<Integer> resets,
            List<Update> updates, List<StoredDedup> dedupAdded, Map<Integer, Long> appliedSeqs,
            Map<Integer, Long> joinEpochs, Map<Integer, Long> commitHolds) {
        this(journal, journalKeepFrom, resets, updates, dedupAdded, appliedSeqs, joinEpochs,
                commitHolds, Map.of());
    }

    /** Just updates and applied seqs, as journal record {@code journal}, forgetting nothing. */
    public static StoreBatch of(long journal, List<Update> updates,
            Map<Integer, Long> appliedSeqs) {
        return new StoreBatch(journal, 0, List.of(), updates, List.of(), appliedSeqs, Map.of(),
                Map.of());
    }
}
