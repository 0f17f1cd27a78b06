package org.gtstore.dataserver.chain;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.gtstore.proto.Update;

/**
 * The output of a {@link ChainReplica} since the last Ready: the driver's whole to-do list.
 *
 * <p>Contract (etcd's {@code Ready}): the driver persists {@link #writes()} and
 * {@link #appliedSeqs()} atomically, THEN runs the reads, sends {@link #messages()} and
 * completes {@link #replies()}, THEN steps {@link ChainEvent.PersistDone}. Persisting first is
 * what makes an acknowledgement or a forwarded update a promise: nobody hears of an update before
 * the sender's store holds it.
 *
 * @param writes updates to apply to the local store, in order
 * @param appliedSeqs the new last applied sequence number per partition, stored in the same batch
 * @param messages chain messages in send order per (peer, stream)
 * @param replies client replies and tail reads, to run after the writes are persisted
 * @param mapWantedEpoch if positive, a peer or client has seen this newer map epoch: fetch it
 * @param successors when the map changed, the servers this replica now feeds (open streams to
 *     them, close the others); null when unchanged
 * @param catchUps successors that need a state transfer (issue #4)
 * @param roles when the map or a role changed, the partitions headed and held; null otherwise
 */
public record Ready(
        List<Update> writes,
        Map<Integer, Long> appliedSeqs,
        List<Outbound> messages,
        List<ClientReply> replies,
        long mapWantedEpoch,
        Set<String> successors,
        List<CatchUpNeeded> catchUps,
        Roles roles) {

    /** The partitions this replica heads and holds (holding includes heading), for statistics. */
    public record Roles(long epoch, Set<Integer> headed, Set<Integer> held) {
    }

    /** True if the driver has nothing to do. */
    public boolean isEmpty() {
        return writes.isEmpty() && messages.isEmpty() && replies.isEmpty() && mapWantedEpoch <= 0
                && successors == null && catchUps.isEmpty() && roles == null;
    }
}
