package org.gtstore.dataserver.storage;

import java.util.List;
import java.util.Map;
import org.gtstore.proto.Update;

/**
 * One atomic write to a {@link LocalStore}, applied in this order: {@code resets} (discard every
 * value, dedup entry and the applied seq of those partitions), {@code updates} in order (a
 * {@code copied} update only if its version is newer than the stored one; every other update
 * with a client id also stores its dedup entry), {@code dedupAdded}, {@code dedupRemoved}, then
 * {@code appliedSeqs}, {@code joinEpochs} (the chain epoch a partition was joined in as the
 * joining replica; 0 removes it) and {@code commitHolds} (the seq a member receiving a copy in
 * version order must apply before its state is whole again; 0 removes it).
 */
public record StoreBatch(
        List<Integer> resets,
        List<Update> updates,
        List<StoredDedup> dedupAdded,
        List<StoredDedup> dedupRemoved,
        Map<Integer, Long> appliedSeqs,
        Map<Integer, Long> joinEpochs,
        Map<Integer, Long> commitHolds) {

    /** A batch that changes no commit hold (nothing is copied to this server in version order). */
    public StoreBatch(List<Integer> resets, List<Update> updates, List<StoredDedup> dedupAdded,
            List<StoredDedup> dedupRemoved, Map<Integer, Long> appliedSeqs,
            Map<Integer, Long> joinEpochs) {
        this(resets, updates, dedupAdded, dedupRemoved, appliedSeqs, joinEpochs, Map.of());
    }

    /** Just updates and applied seqs. */
    public static StoreBatch of(List<Update> updates, Map<Integer, Long> appliedSeqs) {
        return new StoreBatch(List.of(), updates, List.of(), List.of(), appliedSeqs, Map.of());
    }
}
