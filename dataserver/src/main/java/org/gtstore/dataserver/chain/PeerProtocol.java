package org.gtstore.dataserver.chain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntPredicate;
import java.util.function.Predicate;
import org.gtstore.proto.ChainHello;
import org.gtstore.proto.ChainHelloReply;
import org.gtstore.proto.ChainMessage;
import org.gtstore.proto.CopyAck;
import org.gtstore.proto.CopyChunk;
import org.gtstore.proto.DedupEntry;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.PartitionLineage;
import org.gtstore.proto.PartitionSeq;
import org.gtstore.proto.Rejection;
import org.gtstore.proto.Update;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server-to-server half of {@link ChainReplica}: chain messages in, hellos and rejections
 * out. Package-private; it shares the partitions, the {@link ReplicaContext} and the
 * {@link Effects} of its replica.
 *
 * <p>Messages: hello / hello reply (re-sync), update batches and ack batches, copy chunks and
 * copy acks (state transfer, see {@link OutgoingCopy}), rejections.
 *
 * <p>Epoch rule, per chain. Every message carries the sender's map epoch, and each of its
 * per-partition parts the sender's chain epoch of that partition ({@code Chain.epoch}: the map
 * epoch in which that partition's chain last changed; see {@link MessageParts}). Each part is
 * judged by its own partition's chain:
 * <ul>
 * <li>the sender's chain changed in a map this replica has not seen (its chain epoch is newer
 *     than our map epoch): the part waits, in stream order per partition, until we have that
 *     map ({@link HeldParts}); the map is fetched;
 * <li>the sender's chain epoch is ours: both see the same chain, so the part is applied at once,
 *     whichever of the two maps is newer;
 * <li>otherwise the chain changed after the sender's view of it: the sender acted on a chain
 *     that no longer exists, so the part is not applied and the sender hears
 *     {@code STALE_EPOCH} naming the partition.
 * </ul>
 * So "nothing from an older chain is applied" stays exact per chain, and a replica with an older
 * map never applies content for a partition whose chain changed in a map it has not seen, while
 * map changes elsewhere (restoring K changes the map once per batch of partitions, and a death
 * once more) neither stall the streams nor make one hop wait for another server's map fetch. A
 * part that carries no chain epoch (0) is judged by the message's map epoch instead.
 */
final class PeerProtocol {
    private static final Logger LOG = LoggerFactory.getLogger(PeerProtocol.class);

    private static final IntPredicate ALL = p -> true;

    private final String selfId;
    private final ChainReplicaConfig config;
    private final Map<Integer, PartitionReplica> partitions;
    private final ReplicaContext ctx;
    private final Effects fx;
    private final HeldParts held = new HeldParts();

    PeerProtocol(ReplicaContext ctx, Map<Integer, PartitionReplica> partitions, Effects fx) {
        this.selfId = ctx.selfId;
        this.config = ctx.config;
        this.ctx = ctx;
        this.partitions = partitions;
        this.fx = fx;
    }

    void onMessage(ChainMessage m, StreamKind on) {
        String malformed = malformed(m);
        if (malformed != null) {
            refuseMalformed(m, on, malformed);
            return;
        }
        if (m.hasRejected()) {
            onRejection(m, on);
            return;
        }
        if (m.getEpoch() > ctx.epoch) {
            fx.wantMap(m.getEpoch());
        }
        Lane lane = new Lane(m.getFrom(), on);
        if (m.getEpoch() <= ctx.epoch && held.isEmpty(lane)) {
            // No chain epoch in the message can be newer than its map epoch: nothing waits.
            dispatch(m, on, ALL);
            return;
        }
        Map<Integer, Long> parts = MessageParts.of(m);
        Map<Integer, Long> waiting = new LinkedHashMap<>();
        for (Map.Entry<Integer, Long> e : parts.entrySet()) {
            if (HeldParts.unseen(e.getValue(), m.getEpoch(), ctx.epoch)
                    || held.holds(lane, e.getKey())) {
                waiting.put(e.getKey(), e.getValue());
            }
        }
        if (waiting.isEmpty()) {
            dispatch(m, on, ALL);
            return;
        }
        hold(lane, m, waiting, parts.size());
        if (waiting.size() < parts.size()) {
            dispatch(m, on, p -> !waiting.containsKey(p));
        }
    }

    /** Why a message's content may not be applied (a bad field), or null if it is sound. */
    private static String malformed(ChainMessage m) {
        if (m.hasUpdates()) {
            for (Update u : m.getUpdates().getUpdatesList()) {
                String bad = RequestValidator.checkUpdate(u);
                if (bad != null) {
                    return bad;
                }
            }
        } else if (m.hasHello()) {
            for (PartitionLineage l : m.getHello().getLineagesList()) {
                if (Lineage.fromProto(l) == null) {
                    return "hello: malformed branches of partition " + l.getPartition();
                }
            }
        } else if (m.hasCopy()) {
            for (Update u : m.getCopy().getEntriesList()) {
                String bad = RequestValidator.checkUpdate(u);
                if (bad != null) {
                    return "copy entry: " + bad;
                }
            }
            for (DedupEntry d : m.getCopy().getDedupList()) {
                String bad = RequestValidator.checkDedup(d);
                if (bad != null) {
                    return "copy: " + bad;
                }
            }
        }
        return null;
    }

    /**
     * A message with a malformed part is dropped whole: none of it is applied, and the sender
     * hears INVALID_ARGUMENT (a sound peer validated what it forwards, so only a broken or
     * hostile one sends this).
     */
    private void refuseMalformed(ChainMessage m, StreamKind on, String why) {
        LOG.warn("[{} epoch={}] refusing a malformed {} from {}: {}", selfId, ctx.epoch,
                m.getBodyCase(), m.getFrom(), why);
        if (m.getFrom().isEmpty() || m.hasRejected()) {
            return;
        }
        fx.outbox.control(m.getFrom(), on, ChainMessage.newBuilder().setEpoch(ctx.epoch)
                .setRejected(Rejection.newBuilder().setCode(ErrorCode.INVALID_ARGUMENT)
                        .setMessage("malformed " + m.getBodyCase() + ": " + why)
                        .addAllPartitions(MessageParts.of(m).keySet())));
    }

    private void hold(Lane lane, ChainMessage m, Map<Integer, Long> waiting,
            int partCount) {
        if (held.size(lane) >= config.deferredMessagesMax()) {
            Set<Integer> dropped = held.drop(lane);
            LOG.warn("[{} epoch={}] dropping held parts of {} partitions from {}; they re-sync",
                    selfId, ctx.epoch, dropped.size(), lane.peer());
            if (lane.stream() == StreamKind.INBOUND && !dropped.isEmpty()) {
                // Updates or a hello were lost: the predecessor must say hello again.
                fx.outbox.control(lane.peer(), StreamKind.INBOUND, ChainMessage.newBuilder()
                        .setEpoch(ctx.epoch).setRejected(Rejection.newBuilder()
                                .setCode(ErrorCode.UNAVAILABLE)
                                .setMessage("held messages dropped while waiting for a map")
                                .addAllPartitions(dropped)));
            }
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("[{} epoch={}] holding {} from {} (epoch={}) for partitions {}"
                    + " (partition=sender chain epoch) until our map has their chains;"
                    + " {} other partitions go on", selfId, ctx.epoch, m.getBodyCase(),
                    m.getFrom(), m.getEpoch(), waiting, partCount - waiting.size());
        }
        held.hold(lane, m, waiting);
    }

    /** After a map change: handle the held parts whose chains the map has caught up with. */
    void replayHeld() {
        for (HeldParts.Release r : held.release(ctx.epoch)) {
            LOG.debug("[{} epoch={}] releasing held {} from {} (epoch={}) for partitions {}",
                    selfId, ctx.epoch, r.message().getBodyCase(), r.lane().peer(),
                    r.message().getEpoch(), r.partitions());
            dispatch(r.message(), r.lane().stream(), r.partitions()::contains);
        }
    }

    /** Handles the parts of {@code m} whose partition {@code now} accepts. */
    private void dispatch(ChainMessage m, StreamKind on, IntPredicate now) {
        boolean fromPredecessor = on == StreamKind.INBOUND;
        switch (m.getBodyCase()) {
            case HELLO -> {
                if (fromPredecessor) {
                    onHello(m, now);
                    return;
                }
            }
            case UPDATES -> {
                if (fromPredecessor) {
                    onUpdates(m, now);
                    return;
                }
            }
            case HELLO_REPLY -> {
                if (!fromPredecessor) {
                    onHelloReply(m, now);
                    return;
                }
            }
            case ACKS -> {
                if (!fromPredecessor) {
                    onAcks(m, now);
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
        LOG.warn("[{} epoch={}] ignoring {} from {} on the {} stream", selfId, ctx.epoch,
                m.getBodyCase(), m.getFrom(), on);
    }

    private void onUpdates(ChainMessage m, IntPredicate now) {
        Map<Integer, Long> chainEpochs = MessageParts.updateEpochs(m);
        List<Integer> stale = null;
        int lastPartition = -1;
        PartitionReplica target = null;
        for (Update u : m.getUpdates().getUpdatesList()) {
            int p = u.getPartition();
            if (p != lastPartition) {
                lastPartition = p;
                target = null;
                if (!now.test(p)) {
                    continue;
                }
                PartitionReplica pr = fedBy(m.getFrom(), p);
                if (pr != null && pr.sameChain(chainEpochs.getOrDefault(p, 0L), m.getEpoch())) {
                    target = pr;
                } else if (pr != null) {
                    stale = addOnce(stale, p);
                }
            }
            if (target != null) {
                target.receiveUpdate(u, config.heldUpdatesMax(), fx);
            }
        }
        rejectStale(m, StreamKind.INBOUND, stale);
    }

    private void onAcks(ChainMessage m, IntPredicate now) {
        List<Integer> stale = null;
        Map<Integer, Long> answered = Map.of();
        if (m.getAcks().getAnsweredCount() > 0) {
            answered = new HashMap<>();
            for (PartitionSeq ps : m.getAcks().getAnsweredList()) {
                answered.put(ps.getPartition(), ps.getSeq());
            }
        }
        for (PartitionSeq ps : m.getAcks().getCommittedList()) {
            PartitionReplica pr = now.test(ps.getPartition())
                    ? feeding(m.getFrom(), ps.getPartition()) : null;
            if (pr == null) {
                continue;
            }
            if (!pr.sameChain(ps.getChainEpoch(), m.getEpoch())) {
                stale = addOnce(stale, ps.getPartition());
                continue;
            }
            pr.receiveAck(ps.getSeq(), answered.getOrDefault(ps.getPartition(), ps.getSeq()),
                    fx);
        }
        rejectStale(m, StreamKind.OUTBOUND, stale);
    }

    /** A copy chunk has one partition: it reaches here only when that part may go on. */
    private void onCopy(ChainMessage m) {
        CopyChunk c = m.getCopy();
        PartitionReplica pr = fedBy(m.getFrom(), c.getPartition());
        if (pr == null) {
            return;
        }
        if (!pr.sameChain(c.getChainEpoch(), m.getEpoch())) {
            rejectStale(m, StreamKind.INBOUND, List.of(c.getPartition()));
            return;
        }
        switch (pr.receiveCopyChunk(c, fx)) {
            case REFUSED -> fx.outbox.control(m.getFrom(), StreamKind.INBOUND,
                    ChainMessage.newBuilder().setEpoch(ctx.epoch).setRejected(Rejection
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
        if (pr != null && pr.sameChain(a.getChainEpoch(), m.getEpoch())) {
            pr.feed.copyAcked(a.getCopyId(), fx);
        }
    }

    private void onHello(ChainMessage m, IntPredicate now) {
        String from = m.getFrom();
        Map<Integer, PartitionSeq> predecessorApplied = new HashMap<>();
        for (PartitionSeq ps : m.getHello().getAppliedList()) {
            predecessorApplied.put(ps.getPartition(), ps);
        }
        Map<Integer, Lineage> lineages = Map.of();
        if (m.getHello().getLineagesCount() > 0) {
            lineages = new HashMap<>();
            for (PartitionLineage l : m.getHello().getLineagesList()) {
                lineages.put(l.getPartition(), Lineage.fromProto(l));
            }
        }
        ChainHelloReply.Builder reply = ChainHelloReply.newBuilder();
        List<Integer> stale = null;
        int refused = 0;
        int answered = 0;
        int cutBack = 0;
        for (int p : m.getHello().getPartitionsList()) {
            if (!now.test(p)) {
                continue;
            }
            answered++;
            PartitionReplica pr = fedBy(from, p);
            if (pr == null) {
                refused++;
                continue;
            }
            PartitionSeq theirs = predecessorApplied.get(p);
            if (!pr.sameChain(theirs == null ? 0 : theirs.getChainEpoch(), m.getEpoch())) {
                stale = addOnce(stale, p);
                continue;
            }
            // A hello without an applied seq for the partition: no barrier information, so
            // none is kept, and nothing is cut back.
            cutBack += pr.receiveHello(theirs == null ? -1 : theirs.getSeq(),
                    lineages.getOrDefault(p, Lineage.FIRST), fx) ? 1 : 0;
            reply.addApplied(PartitionSeq.newBuilder().setPartition(p).setSeq(pr.applied())
                    .setChainEpoch(pr.chainEpoch()));
            reply.addCommitted(PartitionSeq.newBuilder().setPartition(p)
                    .setSeq(pr.knownCommitted()));
        }
        if (refused > 0) {
            LOG.warn("[{} epoch={}] hello from {} at epoch={}: not our predecessor in {}"
                    + " partitions", selfId, ctx.epoch, from, m.getEpoch(), refused);
        }
        if (cutBack > 0) {
            LOG.warn("[{} epoch={}] {} does not hold what we hold in {} partitions: they are"
                    + " discarded here and copied again from it", selfId, ctx.epoch, from,
                    cutBack);
        }
        LOG.debug("[{} epoch={}] hello from {} for {} partitions", selfId, ctx.epoch, from,
                answered);
        fx.outbox.control(from, StreamKind.INBOUND, ChainMessage.newBuilder()
                .setEpoch(ctx.epoch).setHelloReply(reply));
        rejectStale(m, StreamKind.INBOUND, stale);
    }

    private void onHelloReply(ChainMessage m, IntPredicate now) {
        String from = m.getFrom();
        Map<Integer, Long> committed = new HashMap<>();
        for (PartitionSeq ps : m.getHelloReply().getCommittedList()) {
            committed.put(ps.getPartition(), ps.getSeq());
        }
        int resent = 0;
        int partitionsResent = 0;
        int copies = 0;
        for (PartitionSeq ps : m.getHelloReply().getAppliedList()) {
            PartitionReplica pr = now.test(ps.getPartition())
                    ? feeding(from, ps.getPartition()) : null;
            if (pr == null || !pr.sameChain(ps.getChainEpoch(), m.getEpoch())) {
                continue;
            }
            int n = pr.feed.helloReply(ps.getSeq(),
                    committed.getOrDefault(ps.getPartition(), 0L), fx);
            copies += n < 0 ? 1 : 0;
            resent += Math.max(0, n);
            partitionsResent += n > 0 ? 1 : 0;
        }
        if (resent > 0) {
            LOG.info("[{} epoch={}] re-sent {} un-acked updates in {} partitions to {}", selfId,
                    ctx.epoch, resent, partitionsResent, from);
        }
        if (copies > 0) {
            LOG.info("[{} epoch={}] {} is behind what we hold in memory in {} partitions:"
                    + " copying them from the store", selfId, ctx.epoch, from, copies);
        }
    }

    private void onRejection(ChainMessage m, StreamKind on) {
        Rejection r = m.getRejected();
        LOG.warn("[{} epoch={}] {} rejected our message at its epoch={}: {} {} (partitions {})",
                selfId, ctx.epoch, m.getFrom(), m.getEpoch(), r.getCode(), r.getMessage(),
                r.getPartitionsCount() == 0 ? "all" : r.getPartitionsList());
        if (m.getEpoch() > ctx.epoch) {
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
                pr.feed.unsync(ctx.tick, fx);
                resync.add(pr.partition);
            }
        }
        if (m.getEpoch() <= ctx.epoch && !resync.isEmpty()) {
            sendHello(m.getFrom(), resync);
        }
    }

    private void rejectStale(ChainMessage m, StreamKind on, List<Integer> stale) {
        if (stale == null) {
            return;
        }
        LOG.debug("[{} epoch={}] rejecting {} from {} at epoch={} for partitions {}", selfId,
                ctx.epoch, m.getBodyCase(), m.getFrom(), m.getEpoch(), stale);
        fx.outbox.control(m.getFrom(), on, ChainMessage.newBuilder().setEpoch(ctx.epoch)
                .setRejected(Rejection.newBuilder().setCode(ErrorCode.STALE_EPOCH)
                        .setMessage("chain changed after the sender's view of it (sender epoch "
                                + m.getEpoch() + "; receiver epoch " + ctx.epoch + ")")
                        .addAllPartitions(stale)));
    }

    /**
     * Says hello to a successor for these partitions; their forwarding waits for the reply. A
     * recovering partition says none (it feeds nobody until it has recovered), nor does the
     * head of a settling chain.
     */
    void sendHello(String peer, List<Integer> partitionList) {
        ChainHello.Builder hello = ChainHello.newBuilder();
        for (int p : partitionList) {
            PartitionReplica pr = partitions.get(p);
            if (!pr.recovery().mayFeed()) {
                continue;
            }
            pr.feed.helloSent(ctx.tick, fx);
            hello.addPartitions(p);
            hello.addApplied(PartitionSeq.newBuilder().setPartition(p).setSeq(pr.applied())
                    .setChainEpoch(pr.chainEpoch()));
            if (!pr.lineage().isFirst()) {
                hello.addLineages(pr.lineage().toProto(p));
            }
        }
        if (hello.getPartitionsCount() > 0) {
            fx.outbox.control(peer, StreamKind.OUTBOUND, ChainMessage.newBuilder()
                    .setEpoch(ctx.epoch).setHello(hello));
        }
    }

    /** Says hello to the successors of the partitions that asked for it in this step. */
    void helloDue() {
        if (!fx.helloDue.isEmpty()) {
            Set<Integer> done = Set.copyOf(fx.helloDue);
            fx.helloDue.clear();
            helloWhere(pr -> done.contains(pr.partition));
        }
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
