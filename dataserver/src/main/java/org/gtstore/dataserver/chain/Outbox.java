package org.gtstore.dataserver.chain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gtstore.proto.AckBatch;
import org.gtstore.proto.ChainMessage;
import org.gtstore.proto.PartitionEpoch;
import org.gtstore.proto.PartitionSeq;
import org.gtstore.proto.Update;
import org.gtstore.proto.UpdateBatch;

/**
 * Collects the chain messages of one {@link Ready} and batches them: consecutive updates to the
 * same peer become one {@link UpdateBatch} (split at {@code batchBytesMax}), consecutive acks one
 * {@link AckBatch} holding the highest sequence number per partition. Batching is what makes the
 * chain fast: one stream message carries hundreds of writes.
 *
 * <p>Order is kept per (peer, stream): a hello emitted after an update is sent after it, and each
 * message carries the epoch in force when it was emitted, and for each partition in it the chain
 * epoch in force then (a batch never mixes two chain epochs of one partition).
 */
final class Outbox {
    /** A message being built: either a finished message or an open update or ack batch. */
    private static final class Segment {
        final long epoch;
        ChainMessage finished;
        UpdateBatch.Builder updates;
        int updateBytes;
        LinkedHashMap<Integer, Long> acks;
        /** Per partition acked: the seq up to which the tail answered its clients. */
        LinkedHashMap<Integer, Long> answered;
        /** Per partition in the batch: the sender's chain epoch (updates and acks alike). */
        final LinkedHashMap<Integer, Long> chainEpochs = new LinkedHashMap<>();

        Segment(long epoch) {
            this.epoch = epoch;
        }
    }

    private final String selfId;
    private final int batchBytesMax;
    private final LinkedHashMap<Lane, List<Segment>> lanes = new LinkedHashMap<>();

    Outbox(String selfId, int batchBytesMax) {
        this.selfId = selfId;
        this.batchBytesMax = batchBytesMax;
    }

    /** Queues one finished message (hello, hello reply, rejection). */
    void control(String peer, StreamKind stream, ChainMessage.Builder message) {
        Segment s = new Segment(message.getEpoch());
        s.finished = message.setFrom(selfId).build();
        lane(peer, stream).add(s);
    }

    /**
     * Queues one update for a successor, merging it into the open batch when possible.
     *
     * @param chainEpoch the epoch in which the update's partition's chain last changed, as this
     *     replica sees it now
     */
    void update(String peer, long epoch, long chainEpoch, Update update) {
        List<Segment> lane = lane(peer, StreamKind.OUTBOUND);
        Segment last = lane.isEmpty() ? null : lane.get(lane.size() - 1);
        int size = update.getSerializedSize();
        boolean full = last != null && last.updates != null
                && last.updateBytes + size > batchBytesMax && last.updates.getUpdatesCount() > 0;
        if (last == null || last.updates == null || last.epoch != epoch || full
                || !sameChainEpoch(last, update.getPartition(), chainEpoch)) {
            last = new Segment(epoch);
            last.updates = UpdateBatch.newBuilder();
            lane.add(last);
        }
        last.updates.addUpdates(update);
        last.updateBytes += size;
        last.chainEpochs.putIfAbsent(update.getPartition(), chainEpoch);
    }

    /**
     * Queues "committed up to seq" for a predecessor, keeping the highest seq per partition,
     * with every client answered up to {@code seq}.
     */
    void ack(String peer, long epoch, int partition, long chainEpoch, long seq) {
        ack(peer, epoch, partition, chainEpoch, seq, seq);
    }

    /**
     * Queues "committed up to seq, clients answered up to answered" for a predecessor, keeping
     * the highest of each per partition.
     *
     * @param chainEpoch the epoch in which the partition's chain last changed, as this replica
     *     sees it now
     */
    void ack(String peer, long epoch, int partition, long chainEpoch, long seq, long answered) {
        List<Segment> lane = lane(peer, StreamKind.INBOUND);
        Segment last = lane.isEmpty() ? null : lane.get(lane.size() - 1);
        if (last == null || last.acks == null || last.epoch != epoch
                || !sameChainEpoch(last, partition, chainEpoch)) {
            last = new Segment(epoch);
            last.acks = new LinkedHashMap<>();
            last.answered = new LinkedHashMap<>();
            lane.add(last);
        }
        last.acks.merge(partition, seq, Math::max);
        last.answered.merge(partition, answered, Math::max);
        last.chainEpochs.putIfAbsent(partition, chainEpoch);
    }

    /** False if the segment already holds this partition under another chain epoch. */
    private static boolean sameChainEpoch(Segment s, int partition, long chainEpoch) {
        Long held = s.chainEpochs.get(partition);
        return held == null || held == chainEpoch;
    }

    boolean isEmpty() {
        return lanes.isEmpty();
    }

    /** Builds every queued message in order and empties the outbox. */
    List<Outbound> drain() {
        List<Outbound> out = new ArrayList<>();
        for (Map.Entry<Lane, List<Segment>> e : lanes.entrySet()) {
            Lane lane = e.getKey();
            for (Segment s : e.getValue()) {
                out.add(new Outbound(lane.peer(), lane.stream(), build(s)));
            }
        }
        lanes.clear();
        return out;
    }

    private ChainMessage build(Segment s) {
        if (s.finished != null) {
            return s.finished;
        }
        ChainMessage.Builder b = ChainMessage.newBuilder().setFrom(selfId).setEpoch(s.epoch);
        if (s.updates != null) {
            s.chainEpochs.forEach((p, e) -> s.updates.addChainEpochs(
                    PartitionEpoch.newBuilder().setPartition(p).setEpoch(e)));
            return b.setUpdates(s.updates).build();
        }
        AckBatch.Builder acks = AckBatch.newBuilder();
        s.acks.forEach((p, seq) -> {
            acks.addCommitted(PartitionSeq.newBuilder().setPartition(p).setSeq(seq)
                    .setChainEpoch(s.chainEpochs.get(p)));
            long answered = s.answered.get(p);
            if (answered < seq) {
                acks.addAnswered(PartitionSeq.newBuilder().setPartition(p).setSeq(answered));
            }
        });
        return b.setAcks(acks).build();
    }

    private List<Segment> lane(String peer, StreamKind stream) {
        return lanes.computeIfAbsent(new Lane(peer, stream), k -> new ArrayList<>());
    }
}
