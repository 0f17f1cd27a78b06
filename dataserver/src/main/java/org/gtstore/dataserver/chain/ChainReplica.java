package org.gtstore.dataserver.chain;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.gtstore.proto.Chain;
import org.gtstore.proto.ChainHello;
import org.gtstore.proto.ChainHelloReply;
import org.gtstore.proto.ChainMessage;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetRequest;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.PartitionSeq;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.Rejection;
import org.gtstore.proto.Update;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chain replication for every partition this server holds, as a pure state machine: input only
 * through {@link #step(ChainEvent)} and {@link #tick()}, output only through {@link #ready()}.
 * No sockets, threads, clocks or disk, so every rule below is tested by replaying events
 * (STYLE.md section 3; the {@code ReplicaDriver} owns the thread, the store and the network).
 *
 * <p>Handled inputs:
 * <ul>
 * <li>{@code ClientPut} (put or delete): the head checks the request (limits, key in the named
 *     partition), the lease, the epoch (older: {@code STALE_EPOCH} with ours; newer:
 *     {@code FUTURE_EPOCH} and the map is fetched), that it is head ({@code NOT_RESPONSIBLE}),
 *     and dedups (client id, request id); then it assigns the partition's next seq, applies the
 *     update as pending and forwards it. It answers only once the tail's ack covers that seq.
 * <li>{@code ClientGet}: only the tail answers, from its store (committed state only).
 * <li>{@code ChainHello} (from a predecessor): reply with our applied and committed seq per
 *     partition it feeds us, so it re-sends exactly what we miss.
 * <li>{@code ChainHelloReply} (from a successor): treat its committed seqs as acks, re-send every
 *     un-acked update after its applied seq, then resume forwarding.
 * <li>{@code UpdateBatch}: apply in seq order, drop duplicates, hold gaps; forward; the tail
 *     commits and acks upstream.
 * <li>{@code AckBatch}: advance committed, drop acked updates, pass the ack upstream, answer
 *     the clients waiting at the head.
 * <li>{@code Rejection}: the peer is at a newer epoch (fetch the map, hello again) or disagrees.
 * <li>{@code MapChanged}: apply the chain repair rules (see {@link PartitionReplica}); say hello
 *     to every successor; stop serving partitions no longer held.
 * <li>{@code PeerConnected}/{@code PeerDisconnected}, {@code LeaseChanged}, {@code PersistDone}.
 * </ul>
 * A chain message from an older epoch is never applied: it is answered with a
 * {@code STALE_EPOCH} rejection. One from a newer epoch waits, in stream order, until the map
 * catches up.
 */
public final class ChainReplica {
    private static final Logger LOG = LoggerFactory.getLogger(ChainReplica.class);

    private record Lane(String peer, StreamKind stream) {
    }

    private final String selfId;
    private final ChainReplicaConfig config;
    private final Map<Integer, Long> storedApplied;
    private final Map<Integer, PartitionReplica> partitions = new HashMap<>();
    private final Map<String, SuccessorLink> links = new HashMap<>();
    private final Map<Lane, ArrayDeque<ChainMessage>> deferred = new HashMap<>();
    private final Effects fx;
    private PartitionMap map;
    private KeyPartitioner partitioner;
    private boolean leaseValid;
    private boolean awaitingPersist;
    private Set<String> successorsChanged;
    private Ready.Roles rolesChanged;

    /**
     * @param storedAppliedSeqs the last applied seq per partition recovered from the local store
     */
    public ChainReplica(String selfId, ChainReplicaConfig config,
            Map<Integer, Long> storedAppliedSeqs) {
        if (selfId == null || selfId.isEmpty()) {
            throw new IllegalArgumentException("selfId is empty");
        }
        this.selfId = selfId;
        this.config = config;
        this.storedApplied = new HashMap<>(storedAppliedSeqs);
        this.fx = new Effects(selfId, config, links);
    }

    /** Feeds one event. Output accumulates until {@link #ready()}. */
    public void step(ChainEvent event) {
        if (event instanceof ChainEvent.ClientPut e) {
            onClientPut(e.request(), e.token());
        } else if (event instanceof ChainEvent.ClientGet e) {
            onClientGet(e.request(), e.token());
        } else if (event instanceof ChainEvent.PeerMessage e) {
            onPeerMessage(e.message(), e.arrivedOn());
        } else if (event instanceof ChainEvent.MapChanged e) {
            onMap(e.map());
        } else if (event instanceof ChainEvent.PeerConnected e) {
            if (links.containsKey(e.peer())) {
                sendHello(e.peer());
            }
        } else if (event instanceof ChainEvent.PeerDisconnected e) {
            SuccessorLink link = links.get(e.peer());
            if (link != null) {
                link.awaitingReply = true;
            }
        } else if (event instanceof ChainEvent.LeaseChanged e) {
            if (e.valid() != leaseValid) {
                LOG.info("[{} epoch={}] lease {}", selfId, fx.epoch,
                        e.valid() ? "valid: serving" : "expired: refusing reads and writes");
            }
            leaseValid = e.valid();
        } else if (event instanceof ChainEvent.PersistDone) {
            if (!awaitingPersist) {
                throw new IllegalStateException("PersistDone without an outstanding Ready");
            }
            awaitingPersist = false;
        } else {
            throw new IllegalArgumentException("unknown event: " + event);
        }
    }

    /**
     * Advances the logical clock: re-sends hellos that got no reply and answers {@code TIMEOUT}
     * to puts that waited too long for the tail.
     */
    public void tick() {
        fx.tick++;
        for (Map.Entry<String, SuccessorLink> e : links.entrySet()) {
            SuccessorLink link = e.getValue();
            if (link.awaitingReply && fx.tick - link.helloSentTick >= config.helloRetryTicks()) {
                sendHello(e.getKey());
            }
        }
        for (PartitionReplica pr : partitions.values()) {
            pr.expireWaiters(fx.tick, config.clientWaitTicksMax(), fx);
        }
    }

    /**
     * Everything to do since the last call. After a non-empty Ready the driver must step
     * {@link ChainEvent.PersistDone} before asking again (persist BEFORE sending).
     */
    public Ready ready() {
        if (awaitingPersist) {
            throw new IllegalStateException("ready() before PersistDone of the previous Ready");
        }
        Ready r = fx.drain(successorsChanged, rolesChanged);
        successorsChanged = null;
        rolesChanged = null;
        awaitingPersist = !r.isEmpty();
        return r;
    }

    public String selfId() {
        return selfId;
    }

    /** The epoch of the map in force, 0 before the first. */
    public long epoch() {
        return fx.epoch;
    }

    public boolean leaseValid() {
        return leaseValid;
    }

    /** This server's position in a partition's chain, or null if it does not hold it. */
    public ChainPosition position(int partition) {
        PartitionReplica pr = partitions.get(partition);
        return pr == null ? null : pr.position();
    }

    /** The last applied seq of a partition held here, or -1. */
    public long appliedSeq(int partition) {
        PartitionReplica pr = partitions.get(partition);
        return pr == null ? -1 : pr.applied();
    }

    /** The last committed seq of a partition held here, or -1. */
    public long committedSeq(int partition) {
        PartitionReplica pr = partitions.get(partition);
        return pr == null ? -1 : pr.committed();
    }

    /** Updates held in memory until the tail acknowledges them. */
    public int unackedCount(int partition) {
        PartitionReplica pr = partitions.get(partition);
        return pr == null ? 0 : pr.unackedCount();
    }

    /** At a tail feeding a joining replica: the seq it reported applied, or -1. */
    public long joiningAppliedSeq(int partition) {
        PartitionReplica pr = partitions.get(partition);
        return pr == null ? -1 : pr.joiningApplied();
    }

    // ---- client requests ----

    private void onClientPut(PutRequest r, long token) {
        if (map == null) {
            fx.putError(token, ErrorCode.UNAVAILABLE, selfId + " has no map yet");
            return;
        }
        String bad = RequestValidator.checkPut(r.getKey(), r.getValue(), r.getPartition(),
                partitioner);
        if (bad != null) {
            fx.putError(token, ErrorCode.INVALID_ARGUMENT, bad);
            return;
        }
        if (!leaseValid) {
            fx.putError(token, ErrorCode.UNAVAILABLE, selfId + " has no metadata lease");
            return;
        }
        ErrorCode epochCheck = checkEpoch(r.getEpoch());
        if (epochCheck != ErrorCode.OK) {
            fx.putError(token, epochCheck, "request epoch " + r.getEpoch() + ", server epoch "
                    + fx.epoch);
            return;
        }
        PartitionReplica pr = partitions.get(r.getPartition());
        if (pr == null || !pr.position().head()) {
            fx.putError(token, ErrorCode.NOT_RESPONSIBLE, selfId + " is not the head of partition "
                    + r.getPartition() + " in epoch " + fx.epoch);
            return;
        }
        DedupTable.Applied earlier = fx.dedup.find(r.getClientId(), r.getRequestId(),
                r.getPartition());
        if (earlier != null && earlier.seq() <= pr.applied()) {
            pr.awaitRetry(earlier.seq(), token, fx);
            return;
        }
        pr.acceptWrite(r, token, fx);
    }

    private void onClientGet(GetRequest r, long token) {
        if (map == null) {
            fx.getError(token, ErrorCode.UNAVAILABLE, selfId + " has no map yet");
            return;
        }
        String bad = RequestValidator.checkKey(r.getKey(), r.getPartition(), partitioner);
        if (bad != null) {
            fx.getError(token, ErrorCode.INVALID_ARGUMENT, bad);
            return;
        }
        if (!leaseValid) {
            fx.getError(token, ErrorCode.UNAVAILABLE, selfId + " has no metadata lease");
            return;
        }
        ErrorCode epochCheck = checkEpoch(r.getEpoch());
        if (epochCheck != ErrorCode.OK) {
            fx.getError(token, epochCheck, "request epoch " + r.getEpoch() + ", server epoch "
                    + fx.epoch);
            return;
        }
        PartitionReplica pr = partitions.get(r.getPartition());
        if (pr == null || !pr.position().tail()) {
            fx.getError(token, ErrorCode.NOT_RESPONSIBLE, selfId + " is not the tail of partition "
                    + r.getPartition() + " in epoch " + fx.epoch);
            return;
        }
        fx.replies.add(new ClientReply.LocalRead(token, r.getPartition(), r.getKey(), fx.epoch));
    }

    /** OK, STALE_EPOCH (the caller is behind) or FUTURE_EPOCH (we are; fetch the map). */
    private ErrorCode checkEpoch(long requestEpoch) {
        int c = Long.compare(requestEpoch, fx.epoch);
        if (c < 0) {
            return ErrorCode.STALE_EPOCH;
        }
        if (c > 0) {
            fx.wantMap(requestEpoch);
            return ErrorCode.FUTURE_EPOCH;
        }
        return ErrorCode.OK;
    }

    // ---- chain messages ----

    private void onPeerMessage(ChainMessage m, StreamKind on) {
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
        if (m.getEpoch() < fx.epoch) {
            LOG.debug("[{} epoch={}] rejecting {} from {} at older epoch={}", selfId, fx.epoch,
                    m.getBodyCase(), m.getFrom(), m.getEpoch());
            reject(m.getFrom(), on, ErrorCode.STALE_EPOCH, "sender epoch " + m.getEpoch()
                    + " is older than " + fx.epoch);
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

    private void replayDeferred() {
        Iterator<Map.Entry<Lane, ArrayDeque<ChainMessage>>> it = deferred.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Lane, ArrayDeque<ChainMessage>> e = it.next();
            ArrayDeque<ChainMessage> q = e.getValue();
            while (!q.isEmpty() && q.peekFirst().getEpoch() <= fx.epoch) {
                ChainMessage m = q.pollFirst();
                if (m.getEpoch() < fx.epoch) {
                    reject(m.getFrom(), e.getKey().stream(), ErrorCode.STALE_EPOCH,
                            "sender epoch " + m.getEpoch() + " is older than " + fx.epoch);
                } else {
                    dispatch(m, e.getKey().stream());
                }
            }
            if (q.isEmpty()) {
                it.remove();
            }
        }
    }

    private void dispatch(ChainMessage m, StreamKind on) {
        String from = m.getFrom();
        boolean fromPredecessor = on == StreamKind.INBOUND;
        switch (m.getBodyCase()) {
            case HELLO -> {
                if (fromPredecessor) {
                    onHello(from, m.getHello());
                    return;
                }
            }
            case UPDATES -> {
                if (fromPredecessor) {
                    for (Update u : m.getUpdates().getUpdatesList()) {
                        PartitionReplica pr = fedBy(from, u.getPartition());
                        if (pr != null) {
                            pr.receiveUpdate(u, config.heldUpdatesMax(), fx);
                        }
                    }
                    return;
                }
            }
            case HELLO_REPLY -> {
                if (!fromPredecessor) {
                    onHelloReply(from, m.getHelloReply());
                    return;
                }
            }
            case ACKS -> {
                if (!fromPredecessor) {
                    for (PartitionSeq ps : m.getAcks().getCommittedList()) {
                        PartitionReplica pr = feeding(from, ps.getPartition());
                        if (pr != null) {
                            pr.receiveAck(ps.getSeq(), fx);
                        }
                    }
                    return;
                }
            }
            default -> {
            }
        }
        LOG.warn("[{} epoch={}] ignoring {} from {} on the {} stream", selfId, fx.epoch,
                m.getBodyCase(), from, on);
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

    private void onHello(String from, ChainHello hello) {
        ChainHelloReply.Builder reply = ChainHelloReply.newBuilder();
        int refused = 0;
        for (int p : hello.getPartitionsList()) {
            PartitionReplica pr = fedBy(from, p);
            if (pr == null) {
                refused++;
                continue;
            }
            pr.clearHeld();
            reply.addApplied(PartitionSeq.newBuilder().setPartition(p).setSeq(pr.applied()));
            reply.addCommitted(PartitionSeq.newBuilder().setPartition(p).setSeq(pr.committed()));
        }
        if (refused > 0) {
            LOG.warn("[{} epoch={}] hello from {}: it is not our predecessor in {} partitions",
                    selfId, fx.epoch, from, refused);
        }
        LOG.debug("[{} epoch={}] hello from {} for {} partitions", selfId, fx.epoch, from,
                hello.getPartitionsCount());
        fx.outbox.control(from, StreamKind.INBOUND, ChainMessage.newBuilder()
                .setEpoch(fx.epoch).setHelloReply(reply));
    }

    private void onHelloReply(String from, ChainHelloReply reply) {
        SuccessorLink link = links.get(from);
        if (link == null) {
            return;
        }
        link.awaitingReply = false;
        Map<Integer, Long> committed = new HashMap<>();
        for (PartitionSeq ps : reply.getCommittedList()) {
            committed.put(ps.getPartition(), ps.getSeq());
        }
        int resent = 0;
        int partitionsResent = 0;
        for (PartitionSeq ps : reply.getAppliedList()) {
            PartitionReplica pr = feeding(from, ps.getPartition());
            if (pr != null) {
                int n = pr.receiveHelloReply(ps.getSeq(),
                        committed.getOrDefault(ps.getPartition(), 0L), fx);
                resent += n;
                partitionsResent += n > 0 ? 1 : 0;
            }
        }
        if (resent > 0) {
            LOG.info("[{} epoch={}] re-sent {} un-acked updates in {} partitions to {}", selfId,
                    fx.epoch, resent, partitionsResent, from);
        }
    }

    private void onRejection(ChainMessage m, StreamKind on) {
        Rejection r = m.getRejected();
        LOG.warn("[{} epoch={}] {} rejected our message at its epoch={}: {} {}", selfId, fx.epoch,
                m.getFrom(), m.getEpoch(), r.getCode(), r.getMessage());
        if (m.getEpoch() > fx.epoch) {
            fx.wantMap(m.getEpoch());
        }
        SuccessorLink link = on == StreamKind.OUTBOUND ? links.get(m.getFrom()) : null;
        if (link != null) {
            // Forwarding pauses; the hello after the next map (or the retry tick) resumes it.
            link.awaitingReply = true;
            if (m.getEpoch() <= fx.epoch) {
                sendHello(m.getFrom());
            }
        }
    }

    private void reject(String peer, StreamKind on, ErrorCode code, String message) {
        fx.outbox.control(peer, on, ChainMessage.newBuilder().setEpoch(fx.epoch)
                .setRejected(Rejection.newBuilder().setCode(code).setMessage(message)));
    }

    private void sendHello(String peer) {
        ChainHello.Builder hello = ChainHello.newBuilder();
        for (PartitionReplica pr : partitions.values()) {
            if (peer.equals(pr.position().successor())) {
                hello.addPartitions(pr.partition);
            }
        }
        SuccessorLink link = links.get(peer);
        link.awaitingReply = true;
        link.helloSentTick = fx.tick;
        fx.outbox.control(peer, StreamKind.OUTBOUND, ChainMessage.newBuilder()
                .setEpoch(fx.epoch).setHello(hello));
    }

    // ---- map changes ----

    private void onMap(PartitionMap next) {
        if (next.getEpoch() <= fx.epoch) {
            return;
        }
        long before = fx.epoch;
        map = next;
        fx.epoch = next.getEpoch();
        if (partitioner == null
                || partitioner.partitions() != next.getSettings().getPartitions()) {
            partitioner = new KeyPartitioner(Math.max(1, next.getSettings().getPartitions()));
        }
        Map<Integer, ChainPosition> positions = new HashMap<>();
        for (Chain c : next.getChainsList()) {
            ChainPosition pos = ChainPosition.of(c, selfId);
            if (pos != null) {
                positions.put(c.getPartition(), pos);
            }
        }
        applyPositions(positions);
        Set<String> successors = new TreeSet<>();
        for (ChainPosition pos : positions.values()) {
            if (pos.successor() != null) {
                successors.add(pos.successor());
            }
        }
        links.keySet().retainAll(successors);
        for (String s : successors) {
            links.computeIfAbsent(s, k -> new SuccessorLink());
            sendHello(s);
        }
        successorsChanged = Collections.unmodifiableSet(successors);
        rolesChanged = roles();
        replayDeferred();
        LOG.info("[{} epoch={}] map applied (was epoch={}): heads {}, holds {}, joining {},"
                + " successors {}", selfId, fx.epoch, before, rolesChanged.headed().size(),
                rolesChanged.held().size(), positions.size() - rolesChanged.held().size(),
                successors);
    }

    private void applyPositions(Map<Integer, ChainPosition> positions) {
        int dropped = 0;
        Iterator<Map.Entry<Integer, PartitionReplica>> it = partitions.entrySet().iterator();
        while (it.hasNext()) {
            PartitionReplica pr = it.next().getValue();
            if (!positions.containsKey(pr.partition)) {
                LOG.debug("[{} p={} epoch={}] no longer in the chain: stopped serving", selfId,
                        pr.partition, fx.epoch);
                dropped++;
                pr.drop(fx);
                storedApplied.put(pr.partition, pr.applied());
                it.remove();
            }
        }
        if (dropped > 0) {
            LOG.info("[{} epoch={}] left the chains of {} partitions: stopped serving them",
                    selfId, fx.epoch, dropped);
        }
        int becameHead = 0;
        int becameTail = 0;
        for (Map.Entry<Integer, ChainPosition> e : positions.entrySet()) {
            PartitionReplica pr = partitions.get(e.getKey());
            if (pr == null) {
                long stored = storedApplied.getOrDefault(e.getKey(), 0L);
                partitions.put(e.getKey(), new PartitionReplica(e.getKey(), e.getValue(), stored));
            } else {
                ChainPosition old = pr.position();
                pr.changePosition(e.getValue(), fx);
                becameHead += e.getValue().head() && !old.head() ? 1 : 0;
                becameTail += e.getValue().tail() && !old.tail() ? 1 : 0;
            }
        }
        if (becameHead + becameTail > 0) {
            LOG.info("[{} epoch={}] chain repair: became head of {} and tail of {} partitions"
                    + " (new tails committed what they held)", selfId, fx.epoch, becameHead,
                    becameTail);
        }
    }

    private Ready.Roles roles() {
        Set<Integer> headed = new HashSet<>();
        Set<Integer> held = new HashSet<>();
        for (PartitionReplica pr : partitions.values()) {
            if (pr.position().member()) {
                held.add(pr.partition);
                if (pr.position().head()) {
                    headed.add(pr.partition);
                }
            }
        }
        return new Ready.Roles(fx.epoch, Set.copyOf(headed), Set.copyOf(held));
    }
}
