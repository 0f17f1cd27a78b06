package org.gtstore.dataserver.chain;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.gtstore.proto.ChainHello;
import org.gtstore.proto.ChainHelloReply;
import org.gtstore.proto.ChainMessage;
import org.gtstore.proto.CopyAck;
import org.gtstore.proto.CopyChunk;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.PartitionSeq;
import org.gtstore.proto.Rejection;
import org.gtstore.proto.Update;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server-to-server half of {@link ChainReplica}: chain messages in, hellos and rejections
 * out. Package-private; it shares the partitions and the {@link Effects} of its replica.
 *
 * <p>Messages: hello / hello reply (re-sync), update batches and ack batches, copy chunks and
 * copy acks (state transfer, see {@link OutgoingCopy}), rejections.
 *
 * <p>Epoch rule. Every message carries the sender's map epoch. A message from a newer epoch
 * waits, in stream order, until this replica has that map. A message from an older epoch is
 * judged per partition against the epoch in which that partition's chain last changed
 * ({@code Chain.epoch}): if the chain changed after the sender's epoch, the sender acted on a
 * chain that no longer exists, so that partition's content is not applied and the sender hears
 * {@code STALE_EPOCH} naming the partition; if the chain did not change, the sender's view of it
 * is the current one and the content is applied. This keeps "nothing from an older epoch is
 * applied" exact per chain, while a map change elsewhere (e.g. one of 1024 partitions gaining a
 * joining replica) does not stall every stream.
 */
final class PeerProtocol {
    private static final Logger LOG = LoggerFactory.getLogger(PeerProtocol.class);

    private record Lane(String peer, StreamKind stream) {
    }

    private final String selfId;
    private final ChainReplicaConfig config;
    private final Map<Integer, PartitionReplica> partitions;
    private final Effects fx;
    private final Map<Lane, ArrayDeque<ChainMessage>> deferred = new HashMap<>();

    PeerProtocol(String selfId, ChainReplicaConfig config,
            Map<Integer, PartitionReplica> partitions, Effects fx) {
        this.selfId = selfId;
        this.config = config;
        this.partitions = partitions;
        this.fx = fx;
    }

    void onMessage(ChainMessage m, StreamKind on) {
        if (m.hasRejected()) {
            onRejection(m, on);
            return;
        }
        Lane lane = new Lane(m.getFrom(), on);
        ArrayDeque<ChainMessage> waiting = deferred.get(lane);
        if ((waiting != null && !waiting.isEmpty()) || m.getEpoch() > fx.epoch) {
            defer(lane, m);
            return;
        }
        dispatch(m, on);
    }

    private void defer(Lane lane, ChainMessage m) {
        ArrayDeque<ChainMessage> q = deferred.computeIfAbsent(lane, k -> new ArrayDeque<>());
        if (q.size() >= config.deferredMessagesMax()) {
            // The sender re-sends everything after its hello once we share an epoch.
            LOG.warn("[{} epoch={}] dropping {} deferred messages from {}", selfId, fx.epoch,
                    q.size(), lane.peer());
            q.clear();
        }
        q.addLast(m);
        fx.wantMap(m.getEpoch());
    }

    /** After a map change: handle the deferred messages the map has caught up with. */
    void replayDeferred() {
        Iterator<Map.Entry<Lane, ArrayDeque<ChainMessage>>> it = deferred.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Lane, ArrayDeque<ChainMessage>> e = it.next();
            ArrayDeque<ChainMessage> q = e.getValue();
            while (!q.isEmpty() && q.peekFirst().getEpoch() <= fx.epoch) {
                dispatch(q.pollFirst(), e.getKey().stream());
            }
            if (q.isEmpty()) {
                it.remove();
            }
        }
    }

    private void dispatch(ChainMessage m, StreamKind on) {
        boolean fromPredecessor = on == StreamKind.INBOUND;
        switch (m.getBodyCase()) {
            case HELLO -> {
                if (fromPredecessor) {
                    onHello(m);
                    return;
                }
            }
            case UPDATES -> {
                if (fromPredecessor) {
                    onUpdates(m);
                    return;
                }
            }
            case HELLO_REPLY -> {
                if (!fromPredecessor) {
                    onHelloReply(m);
                    return;
                }
            }
            case ACKS -> {
                if (!fromPredecessor) {
                    onAcks(m);
                    return;
                }
            }
            case COPY -> {
                if (fromPredecessor) {
                    onCopy(m);
                    return;
                }
            }
            case COPY_ACK -> {
                if (!fromPredecessor) {
                    onCopyAck(m);
                    return;
                }
            }
            default -> {
            }
        }
        LOG.warn("[{} epoch={}] ignoring {} from {} on the {} stream", selfId, fx.epoch,
                m.getBodyCase(), m.getFrom(), on);
    }

    private void onUpdates(ChainMessage m) {
        List<Integer> stale = null;
        for (Update u : m.getUpdates().getUpdatesList()) {
            PartitionReplica pr = fedBy(m.getFrom(), u.getPartition());
            if (pr == null) {
                continue;
            }
            if (!pr.currentAt(m.getEpoch())) {
                stale = addOnce(stale, u.getPartition());
                continue;
            }
            pr.receiveUpdate(u, config.heldUpdatesMax(), fx);
        }
        rejectStale(m, StreamKind.INBOUND, stale);
    }

    private void onAcks(ChainMessage m) {
        List<Integer> stale = null;
        for (PartitionSeq ps : m.getAcks().getCommittedList()) {
            PartitionReplica pr = feeding(m.getFrom(), ps.getPartition());
            if (pr == null) {
                continue;
            }
            if (!pr.currentAt(m.getEpoch())) {
                stale = addOnce(stale, ps.getPartition());
                continue;
            }
            pr.receiveAck(ps.getSeq(), fx);
        }
        rejectStale(m, StreamKind.OUTBOUND, stale);
    }

    private void onCopy(ChainMessage m) {
        CopyChunk c = m.getCopy();
        PartitionReplica pr = fedBy(m.getFrom(), c.getPartition());
        if (pr == null) {
            return;
        }
        if (!pr.currentAt(m.getEpoch())) {
            rejectStale(m, StreamKind.INBOUND, List.of(c.getPartition()));
            return;
        }
        switch (pr.receiveCopyChunk(c, fx)) {
            case REFUSED -> fx.outbox.control(m.getFrom(), StreamKind.INBOUND,
                    ChainMessage.newBuilder().setEpoch(fx.epoch).setRejected(Rejection
                            .newBuilder().setCode(ErrorCode.UNAVAILABLE)
                            .setMessage("copy chunk " + c.getIndex() + " of copy "
                                    + c.getCopyId() + " out of order: copy again")
                            .addPartitions(c.getPartition())));
            case STORED_LAST_HELLO_SUCCESSOR -> sendHello(pr.position().successor(),
                    List.of(pr.partition));
            default -> {
            }
        }
    }

    private void onCopyAck(ChainMessage m) {
        CopyAck a = m.getCopyAck();
        PartitionReplica pr = feeding(m.getFrom(), a.getPartition());
        if (pr != null && pr.currentAt(m.getEpoch())) {
            pr.copyAcked(a.getCopyId(), fx);
        }
    }

    private void onHello(ChainMessage m) {
        String from = m.getFrom();
        Map<Integer, Long> predecessorApplied = new HashMap<>();
        for (PartitionSeq ps : m.getHello().getAppliedList()) {
            predecessorApplied.put(ps.getPartition(), ps.getSeq());
        }
        ChainHelloReply.Builder reply = ChainHelloReply.newBuilder();
        List<Integer> stale = null;
        int refused = 0;
        for (int p : m.getHello().getPartitionsList()) {
            PartitionReplica pr = fedBy(from, p);
            if (pr == null) {
                refused++;
                continue;
            }
            if (!pr.currentAt(m.getEpoch())) {
                stale = addOnce(stale, p);
                continue;
            }
            // An old sender without applied seqs: no barrier information, so none is kept.
            pr.receiveHello(predecessorApplied.getOrDefault(p, 0L));
            reply.addApplied(PartitionSeq.newBuilder().setPartition(p).setSeq(pr.applied()));
            reply.addCommitted(PartitionSeq.newBuilder().setPartition(p)
                    .setSeq(pr.knownCommitted()));
        }
        if (refused > 0) {
            LOG.warn("[{} epoch={}] hello from {} at epoch={}: not our predecessor in {}"
                    + " partitions", selfId, fx.epoch, from, m.getEpoch(), refused);
        }
        LOG.debug("[{} epoch={}] hello from {} for {} partitions", selfId, fx.epoch, from,
                m.getHello().getPartitionsCount());
        fx.outbox.control(from, StreamKind.INBOUND, ChainMessage.newBuilder()
                .setEpoch(fx.epoch).setHelloReply(reply));
        rejectStale(m, StreamKind.INBOUND, stale);
    }

    private void onHelloReply(ChainMessage m) {
        String from = m.getFrom();
        Map<Integer, Long> committed = new HashMap<>();
        for (PartitionSeq ps : m.getHelloReply().getCommittedList()) {
            committed.put(ps.getPartition(), ps.getSeq());
        }
        int resent = 0;
        int partitionsResent = 0;
        int copies = 0;
        for (PartitionSeq ps : m.getHelloReply().getAppliedList()) {
            PartitionReplica pr = feeding(from, ps.getPartition());
            if (pr == null || !pr.currentAt(m.getEpoch())) {
                continue;
            }
            int n = pr.receiveHelloReply(ps.getSeq(),
                    committed.getOrDefault(ps.getPartition(), 0L), fx);
            copies += n < 0 ? 1 : 0;
            resent += Math.max(0, n);
            partitionsResent += n > 0 ? 1 : 0;
        }
        if (resent > 0) {
            LOG.info("[{} epoch={}] re-sent {} un-acked updates in {} partitions to {}", selfId,
                    fx.epoch, resent, partitionsResent, from);
        }
        if (copies > 0) {
            LOG.info("[{} epoch={}] {} is behind what we hold in memory in {} partitions:"
                    + " copying them from the store", selfId, fx.epoch, from, copies);
        }
    }

    private void onRejection(ChainMessage m, StreamKind on) {
        Rejection r = m.getRejected();
        LOG.warn("[{} epoch={}] {} rejected our message at its epoch={}: {} {} (partitions {})",
                selfId, fx.epoch, m.getFrom(), m.getEpoch(), r.getCode(), r.getMessage(),
                r.getPartitionsCount() == 0 ? "all" : r.getPartitionsList());
        if (m.getEpoch() > fx.epoch) {
            fx.wantMap(m.getEpoch());
        }
        if (on != StreamKind.OUTBOUND) {
            return;
        }
        // Updates to this successor were dropped: re-sync those partitions. With the newer map
        // in hand the hello goes now; otherwise the map change will send it.
        List<Integer> resync = new ArrayList<>();
        for (PartitionReplica pr : partitions.values()) {
            if (m.getFrom().equals(pr.position().successor()) && (r.getPartitionsCount() == 0
                    || r.getPartitionsList().contains(pr.partition))) {
                pr.unsync(fx.tick, fx);
                resync.add(pr.partition);
            }
        }
        if (m.getEpoch() <= fx.epoch && !resync.isEmpty()) {
            sendHello(m.getFrom(), resync);
        }
    }

    private void rejectStale(ChainMessage m, StreamKind on, List<Integer> stale) {
        if (stale == null) {
            return;
        }
        LOG.debug("[{} epoch={}] rejecting {} from {} at epoch={} for partitions {}", selfId,
                fx.epoch, m.getBodyCase(), m.getFrom(), m.getEpoch(), stale);
        fx.outbox.control(m.getFrom(), on, ChainMessage.newBuilder().setEpoch(fx.epoch)
                .setRejected(Rejection.newBuilder().setCode(ErrorCode.STALE_EPOCH)
                        .setMessage("chain changed after sender epoch " + m.getEpoch()
                                + "; receiver epoch " + fx.epoch)
                        .addAllPartitions(stale)));
    }

    /** Says hello to a successor for these partitions; their forwarding waits for the reply. */
    void sendHello(String peer, List<Integer> partitionList) {
        ChainHello.Builder hello = ChainHello.newBuilder();
        for (int p : partitionList) {
            PartitionReplica pr = partitions.get(p);
            pr.helloSent(fx.tick, fx);
            hello.addPartitions(p);
            hello.addApplied(PartitionSeq.newBuilder().setPartition(p).setSeq(pr.applied()));
        }
        fx.outbox.control(peer, StreamKind.OUTBOUND, ChainMessage.newBuilder()
                .setEpoch(fx.epoch).setHello(hello));
    }

    /** Hellos for every partition whose successor matches the filter, grouped by successor. */
    void helloWhere(Predicate<PartitionReplica> needsHello) {
        Map<String, List<Integer>> bySuccessor = new TreeMap<>();
        for (PartitionReplica pr : partitions.values()) {
            String s = pr.position().successor();
            if (s != null && needsHello.test(pr)) {
                bySuccessor.computeIfAbsent(s, k -> new ArrayList<>()).add(pr.partition);
            }
        }
        bySuccessor.forEach(this::sendHello);
    }

    /** The partition if {@code from} is its predecessor here, else null. */
    private PartitionReplica fedBy(String from, int partition) {
        PartitionReplica pr = partitions.get(partition);
        return pr != null && from.equals(pr.position().predecessor()) ? pr : null;
    }

    /** The partition if {@code to} is its successor here, else null. */
    private PartitionReplica feeding(String to, int partition) {
        PartitionReplica pr = partitions.get(partition);
        return pr != null && to.equals(pr.position().successor()) ? pr : null;
    }

    private static List<Integer> addOnce(List<Integer> list, int p) {
        List<Integer> out = list == null ? new ArrayList<>() : list;
        if (!out.contains(p)) {
            out.add(p);
        }
        return out;
    }
}
