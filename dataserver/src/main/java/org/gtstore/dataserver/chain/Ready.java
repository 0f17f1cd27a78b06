package org.gtstore.dataserver.chain;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.gtstore.proto.PartitionTip;
import org.gtstore.proto.Update;

/**
 * The output of a {@link ChainReplica} since the last Ready: the driver's whole to-do list.
 *
 * <p>Contract (etcd's {@code Ready}): the driver persists {@link #resets()}, {@link #writes()},
 * the dedup entries and {@link #appliedSeqs()} atomically, in that order, as journal record
 * {@link #journal()}, THEN starts the
 * copies (a {@link CopyCommand.Start} snapshots the store as just persisted), runs the reads,
 * sends {@link #messages()} and completes {@link #replies()}, THEN steps
 * {@link ChainEvent.PersistDone}. Persisting first is what makes an acknowledgement or a
 * forwarded update a promise: nobody hears of an update before the sender's store holds it.
 *
 * @param writes updates to apply to the local store, in order; a {@code copied} update is a
 *     state-transfer entry, stored only if newer than the version the store holds
 * @param appliedSeqs the new last applied sequence number per partition, stored in the same batch
 * @param messages chain messages in send order per (peer, stream)
 * @param replies client replies and tail reads, to run after the writes are persisted
 * @param mapWantedEpoch if positive, a peer or client has seen this newer map epoch: fetch it
 * @param successors when the map changed, the servers this replica now feeds (open streams to
 *     them, close the others); null when unchanged
 * @param roles when the map or a role changed, the partitions headed and held; null otherwise
 * @param resets partitions whose stored data (values, dedup entries, applied seq) is to be
 *     discarded before the writes: leftovers of an earlier membership, about to be copied afresh
 * @param joinEpochs partitions joined as the joining replica: the chain epoch joined in, to
 *     store (0: remove), so a restart that keeps the position keeps the data copied so far
 * @param commitHolds partitions receiving a copy in version order: the copy's snapshot seq, to
 *     store (0: remove), so a restart in the middle of the copy does not take the partial state
 *     (versions skipped, keys older than the applied seq says) for committed
 * @param lineages partitions whose history of branches changed: its stored form, to store in
 *     the same batch (see {@code Lineage})
 * @param dedupAdded dedup entries received with a copy, to store (entries of ordinary writes
 *     are stored by the store itself from the writes' client and request ids)
 * @param journal when there is store work, the number of the store's journal record for it
 *     (increasing from Ready to Ready); 0 otherwise
 * @param journalKeepFrom the oldest journal record holding a dedup entry this replica still
 *     remembers: the store may forget older records' entries
 * @param copies copy commands for the driver's copier, after the batch is persisted
 * @param caughtUp joining replicas to report to the metadata as caught up
 * @param tips this replica's tips in settling chains, for the metadata (see
 *     {@code PartitionReplica})
 */
public record Ready(
        List<Update> writes,
        Map<Integer, Long> appliedSeqs,
        List<Outbound> messages,
        List<ClientReply> replies,
        long mapWantedEpoch,
        Set<String> successors,
        Roles roles,
        List<Integer> resets,
        Map<Integer, Long> joinEpochs,
        Map<Integer, Long> commitHolds,
        Map<Integer, byte[]> lineages,
        List<DedupRecord> dedupAdded,
        long journal,
        long journalKeepFrom,
        List<CopyCommand> copies,
        List<CaughtUpReport> caughtUp,
        List<PartitionTip> tips) {

    /** The partitions this replica heads and holds (holding includes heading), for statistics. */
    public record Roles(long epoch, Set<Integer> headed, Set<Integer> held) {
    }

    /** True if the store has something to persist. */
    public boolean hasStoreWork() {
        return journal > 0;
    }

    /** True if the driver has nothing to do. */
    public boolean isEmpty() {
        return !hasStoreWork() && messages.isEmpty() && replies.isEmpty() && mapWantedEpoch <= 0
                && successors == null && roles == null && copies.isEmpty()
                && caughtUp.isEmpty() && tips.isEmpty();
    }
}
