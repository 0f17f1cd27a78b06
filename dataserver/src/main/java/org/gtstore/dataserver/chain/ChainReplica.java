package org.gtstore.dataserver.chain;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.gtstore.proto.Chain;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.proto.PartitionMap;
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
 * <li>Client requests, handled by {@link ClientIngress}:
 * <li>{@code ClientPut} (put or delete): the head checks the request (limits, key in the named
 *     partition), the lease, the epoch (older than the partition's current chain:
 *     {@code STALE_EPOCH} with ours; newer than our map: {@code FUTURE_EPOCH} and the map is
 *     fetched), that it is head ({@code NOT_RESPONSIBLE}),
 *     and dedups (client id, request id); then it assigns the partition's next seq, applies the
 *     update and forwards it. The tail answers the client once the write is committed.
 * <li>{@code ClientGet}: only the tail answers, from its store (committed state only).
 * <li>Chain messages, handled by {@link PeerProtocol}:
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
 * <li>{@code CopyChunk}/{@code CopyAck} (state transfer) and {@code CopyChunkRead} (the
 *     driver's copier read a chunk): see {@link OutgoingCopy} and the Ready's copy commands.
 * <li>{@code PeerConnected}/{@code PeerDisconnected}, {@code LeaseChanged}, {@code PersistDone}.
 * </ul>
 * Epochs: a client request from a newer map is refused with {@code FUTURE_EPOCH} and the map is
 * fetched, unless the request's chain epoch of its partition is ours (the same chain); a part
 * of a chain message (one partition's content) whose chain changed in a map this server has
 * not seen waits for that map; a request or part built on a chain older than the partition's
 * current one ({@code Chain.epoch}, the epoch in which that chain last changed) is refused with
 * {@code STALE_EPOCH} and nothing of it is applied; anything else goes on at once.
 * See {@link PeerProtocol} for why the check is per chain rather than per map.
 */
public final class ChainReplica {
    private static final Logger LOG = LoggerFactory.getLogger(ChainReplica.class);
    private final String selfId;
    private final ChainReplicaConfig config;
    private final Map<Integer, Long> storedApplied;
    /** Per partition joined as the joining replica: the chain epoch it joined in (stored). */
    private final Map<Integer, Long> joinEpochs;
    /** Per partition not held now: the commit hold it had (stored), see PartitionReplica. */
    private final Map<Integer, Long> storedCommitHolds;
    /** Per partition not held now: its history of branches (stored), see Lineage. */
    private final Map<Integer, Lineage> storedLineages;
    /** The store held data when this replica started: its partitions may predate it. */
    private final boolean restartedStore;
    private final Map<Integer, PartitionReplica> partitions = new HashMap<>();
    private final ReplicaContext ctx;
    private final Effects fx;
    private final PeerProtocol peers;
    private final ClientIngress clients;
    private Set<String> successors = Set.of();
    private KeyPartitioner partitioner;
    private boolean awaitingPersist;
    private Set<String> successorsChanged;
    private Ready.Roles rolesChanged;
    private Ready.Roles lastRoles = new Ready.Roles(0, Set.of(), Set.of());
    /** Partitions whose chain changed for this server in the map being applied. */
    private int positionsMoved;
    /** Settling chains of ours whose map lacks our tip: partition to its chain epoch. */
    private Map<Integer, Long> tipsWanted = Map.of();
    private long tipsReportedTick;

    /**
     * What a restarted replica recovers from its local store.
     *
     * @param appliedSeqs the last applied seq per partition
     * @param dedup the dedup entries, oldest first
     * @param joinEpochs per partition this server was joining: the chain epoch it joined in
     * @param commitHolds per partition in the middle of a copy in version order: the copy's
     *     snapshot seq
     * @param lineages per partition whose history has branches: their stored form
     * @param lastJournal the last journal record the store applied
     * @param ranBefore this server ran on this data directory before (its storage id was
     *     there): even an empty store may then be one that lost what it had (a power cut), so
     *     its partitions count as restarted
     */
    public record Stored(Map<Integer, Long> appliedSeqs, List<DedupRecord> dedup,
            Map<Integer, Long> joinEpochs, Map<Integer, Long> commitHolds,
            Map<Integer, byte[]> lineages, long lastJournal, boolean ranBefore) {
    }

    /**
     * A replica on a store that holds only these applied seqs (and no journal record yet).
     */
    public ChainReplica(String selfId, ChainReplicaConfig config,
            Map<Integer, Long> storedAppliedSeqs) {
        this(selfId, config, new Stored(storedAppliedSeqs, List.of(), Map.of(), Map.of(), Map.of(),
                0, false));
    }

    public ChainReplica(String selfId, ChainReplicaConfig config, Stored stored) {
        if (selfId == null || selfId.isEmpty()) {
            throw new IllegalArgumentException("selfId is empty");
        }
        this.selfId = selfId;
        this.config = config;
        this.storedApplied = new HashMap<>(stored.appliedSeqs());
        this.joinEpochs = new HashMap<>(stored.joinEpochs());
        this.storedCommitHolds = new HashMap<>(stored.commitHolds());
        this.restartedStore = stored.lastJournal() > 0 || stored.ranBefore();
        this.storedLineages = new HashMap<>();
        stored.lineages().forEach((p, l) -> storedLineages.put(p, Lineage.fromBytes(l)));
        this.ctx = new ReplicaContext(selfId, config, stored.lastJournal());
        this.fx = new Effects(ctx);
        this.peers = new PeerProtocol(ctx, partitions, fx);
        this.clients = new ClientIngress(ctx, partitions, fx);
        for (DedupRecord d : stored.dedup()) {
            ctx.dedup.load(d);
        }
        ctx.dedup.loaded(restartedStore);
    }

    /** Feeds one event. Output accumulates until {@link #ready()}. */
    public void step(ChainEvent event) {
        if (event instanceof ChainEvent.ClientPut e) {
            clients.put(e.request(), e.replyTo(), e.nowMs());
        } else if (event instanceof ChainEvent.ClientGet e) {
            clients.get(e.request(), e.replyTo());
        } else if (event instanceof ChainEvent.ClientScan e) {
            clients.scan(e.request(), e.replyTo());
        } else if (event instanceof ChainEvent.PeerMessage e) {
            peers.onMessage(e.message(), e.arrivedOn());
            peers.helloDue();
        } else if (event instanceof ChainEvent.MapChanged e) {
            onMap(e.map());
        } else if (event instanceof ChainEvent.PeerConnected e) {
            peers.helloWhere(pr -> e.peer().equals(pr.position().successor()));
        } else if (event instanceof ChainEvent.PeerDisconnected e) {
            for (PartitionReplica pr : partitions.values()) {
                if (e.peer().equals(pr.position().successor())) {
                    pr.feed.unsync(ctx.tick, fx);
                }
            }
        } else if (event instanceof ChainEvent.CopyChunkRead e) {
            PartitionReplica pr = partitions.get(e.partition());
            if (pr != null) {
                pr.feed.copyChunkRead(e, fx);
            }
        } else if (event instanceof ChainEvent.ConditionRead e) {
            PartitionReplica pr = partitions.get(e.partition());
            if (pr != null) {
                pr.conditionRead(e, fx);
            }
        } else if (event instanceof ChainEvent.ExpiriesDue e) {
            clients.expire(e);
        } else if (event instanceof ChainEvent.LeaseChanged e) {
            if (e.valid() != clients.leaseValid()) {
                LOG.info("[{} epoch={}] lease {}", selfId, ctx.epoch, e.valid() ? "valid: serving"
                        : e.stopping() ? "ended: stopping; clients wait for the map without"
                                + " this server" : "expired: refusing reads and writes");
            }
            clients.leaseChanged(e.valid(), e.stopping());
            if (!e.valid()) {
                partitions.values().forEach(pr -> pr.leaseLost(fx));
            }
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
        ctx.tick++;
        ctx.dedup.advance(ctx.tick);
        Set<Integer> stalled = new HashSet<>();
        for (PartitionReplica pr : partitions.values()) {
            pr.expireWaiters(ctx.tick, config.clientWaitTicksMax(), fx);
            if (pr.onTick(fx)) {
                stalled.add(pr.partition);
            }
        }
        peers.helloWhere(pr -> stalled.contains(pr.partition) || (!pr.feed.synced()
                && !pr.feed.copying()
                && ctx.tick - pr.feed.helloSentTick() >= config.helloRetryTicks()));
        if (!tipsWanted.isEmpty() && ctx.tick - tipsReportedTick >= config.caughtUpRetryTicks()) {
            reportTips();
        }
    }

    /**
     * Our tips for the chains that wait for them, for the metadata: settling chains we are a
     * member of, unavailable chains we are a last replica of (from what we stored), and chains
     * we were made head of while recovering (asking them to settle).
     */
    private void reportTips() {
        tipsReportedTick = ctx.tick;
        for (Map.Entry<Integer, Long> e : tipsWanted.entrySet()) {
            int p = e.getKey();
            PartitionReplica pr = partitions.get(p);
            if (pr == null) {
                fx.tips.add(storedLineages.getOrDefault(p, Lineage.FIRST).tip(p, e.getValue(),
                        storedApplied.getOrDefault(p, 0L), storedCommitHolds.getOrDefault(p, 0L)));
            } else if (pr.chainEpoch() == e.getValue()) {
                fx.tips.add(pr.tip());
            }
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
        List<CopyCommand> copies = new ArrayList<>(fx.copyCommands.size());
        for (Object c : fx.copyCommands) {
            if (c instanceof OutgoingCopy oc) {
                PartitionReplica pr = partitions.get(oc.partition);
                CopyCommand.Start start = pr == null ? null : pr.feed.copyStarted(oc, fx);
                if (start != null) {
                    copies.add(start);
                }
            } else {
                copies.add((CopyCommand) c);
            }
        }
        boolean storeWork = fx.storeWork();
        long journal = storeWork ? ctx.dedup.journal() : 0;
        long keepFrom = storeWork ? ctx.dedup.keepFrom() : 0;
        if (storeWork) {
            ctx.dedup.nextJournal();
        }
        Ready r = fx.drain(rolesChanged, successorsChanged, copies, journal, keepFrom);
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
        return ctx.epoch;
    }

    public boolean leaseValid() {
        return clients.leaseValid();
    }

    /** This server's position in a partition's chain, or null if it does not hold it. */
    public ChainPosition position(int partition) {
        PartitionReplica pr = partitions.get(partition);
        return pr == null ? null : pr.position();
    }

    /** The epoch in which the chain of a partition held here last changed, or -1. */
    public long chainEpoch(int partition) {
        PartitionReplica pr = partitions.get(partition);
        return pr == null ? -1 : pr.chainEpoch();
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

    /** Progress of every joining replica this server feeds (for heartbeats). */
    public List<CopyStatus> copyStatus() {
        List<CopyStatus> out = new ArrayList<>();
        for (PartitionReplica pr : partitions.values()) {
            CopyStatus st = pr.feed.copyStatus();
            if (st != null) {
                out.add(st);
            }
        }
        return out;
    }

    /**
     * True while a partition held here after a restart waits to learn what its predecessor
     * holds: it serves no reads and feeds no successor until then (see PartitionReplica).
     */
    public boolean recovering(int partition) {
        PartitionReplica pr = partitions.get(partition);
        return pr != null && pr.recovery().recovering();
    }

    /** The partition's history here (tests compare it across replicas), or null. */
    Lineage lineage(int partition) {
        PartitionReplica pr = partitions.get(partition);
        return pr == null ? null : pr.lineage();
    }

    /** True while this head of a settling chain waits for the metadata's order. */
    public boolean settleWait(int partition) {
        PartitionReplica pr = partitions.get(partition);
        return pr != null && pr.recovery().settleWait();
    }

    /** True while this replica forwards its updates to the partition's successor live. */
    boolean successorSynced(int partition) {
        PartitionReplica pr = partitions.get(partition);
        return pr != null && pr.feed.synced();
    }

    /** True while a state transfer from this server to the partition's successor runs. */
    public boolean copying(int partition) {
        PartitionReplica pr = partitions.get(partition);
        return pr != null && pr.feed.copying();
    }

    /** At a tail feeding a joining replica: the seq it reported applied, or -1. */
    public long joiningAppliedSeq(int partition) {
        PartitionReplica pr = partitions.get(partition);
        return pr == null ? -1 : pr.feed.joiningApplied();
    }

    // ---- map changes ----

    private void onMap(PartitionMap next) {
        if (next.getEpoch() <= ctx.epoch) {
            return;
        }
        long before = ctx.epoch;
        ctx.epoch = next.getEpoch();
        if (partitioner == null
                || partitioner.partitions() != next.getSettings().getPartitions()) {
            partitioner = new KeyPartitioner(Math.max(1, next.getSettings().getPartitions()));
        }
        clients.mapChanged(partitioner);
        Map<Integer, ChainPosition> positions = new HashMap<>();
        Map<Integer, Long> chainEpochs = new HashMap<>();
        Set<Integer> settling = new HashSet<>();
        Set<Integer> remembered = new HashSet<>();
        Map<Integer, Long> wanted = new HashMap<>();
        for (Chain c : next.getChainsList()) {
            if (c.getDepartedList().contains(selfId) || c.getLastReplicasList().contains(selfId)) {
                remembered.add(c.getPartition());
            }
            ChainPosition pos = ChainPosition.of(c, selfId);
            // A chain without its own epoch is treated as changed now (the safe side).
            long chainEpoch = c.getEpoch() > 0 ? c.getEpoch() : ctx.epoch;
            if (waitsForOurTip(c)) {
                wanted.put(c.getPartition(), chainEpoch);
            }
            if (pos != null) {
                positions.put(c.getPartition(), pos);
                chainEpochs.put(c.getPartition(), chainEpoch);
                if (c.getSettling()) {
                    settling.add(c.getPartition());
                }
            }
        }
        positionsMoved = 0;
        Set<Integer> needHello = applyPositions(positions, chainEpochs, settling, remembered);
        Map<String, Long> incarnations = new HashMap<>();
        next.getServersList().forEach(s -> incarnations.put(s.getId(), s.getIncarnation()));
        for (PartitionReplica pr : partitions.values()) {
            if (pr.recovery().settleAsked()) {
                wanted.put(pr.partition, pr.chainEpoch());
            }
            String succ = pr.position().successor();
            Long was = succ == null ? null : ctx.incarnations.get(succ);
            if (was != null && !was.equals(incarnations.get(succ))) {
                // A new process of the successor: what the old one acknowledged may be gone
                // (a power cut), so it is synced again before anything counts on it.
                pr.feed.unsync(ctx.tick, fx);
                needHello.add(pr.partition);
            }
        }
        ctx.incarnations = incarnations;
        tipsWanted = wanted;
        if (!wanted.isEmpty()) {
            reportTips();
        }
        peers.helloWhere(pr -> needHello.contains(pr.partition));
        Set<String> nextSuccessors = new TreeSet<>();
        for (ChainPosition pos : positions.values()) {
            if (pos.successor() != null) {
                nextSuccessors.add(pos.successor());
            }
        }
        if (!nextSuccessors.equals(successors)) {
            successors = Collections.unmodifiableSet(nextSuccessors);
            successorsChanged = successors;
        }
        Ready.Roles nextRoles = roles();
        if (rolesChanged != null || !nextRoles.headed().equals(lastRoles.headed())
                || !nextRoles.held().equals(lastRoles.held())) {
            rolesChanged = nextRoles;
        }
        lastRoles = nextRoles;
        peers.replayHeld();
        // Restoring K changes the map once per partition: only maps that move this server's
        // chains are worth an INFO line.
        boolean moved = positionsMoved > 0 || successorsChanged != null;
        if (moved || LOG.isDebugEnabled()) {
            String line = "[{} epoch={}] map applied (was epoch={}): heads {}, holds {},"
                    + " joining {}, successors {}, {} chains changed here";
            Object[] args = {selfId, ctx.epoch, before, nextRoles.headed().size(),
                nextRoles.held().size(), positions.size() - nextRoles.held().size(), successors,
                positionsMoved};
            if (moved) {
                LOG.info(line, args);
            } else {
                LOG.debug(line, args);
            }
        }
    }

    /**
     * True if the chain waits for our tip (as the metadata's {@code PartitionChain.awaitsTipOf}
     * says): we are a member of it settling, or a last replica of it unavailable.
     */
    private boolean waitsForOurTip(Chain c) {
        List<String> reporters = c.getSettling() ? c.getReplicasList()
                : c.getReplicasCount() == 0 ? c.getLastReplicasList() : List.of();
        return reporters.contains(selfId)
                && c.getTipsList().stream().noneMatch(t -> t.getServerId().equals(selfId));
    }

    /**
     * Applies the new positions; returns the partitions whose successor needs a hello. Data of
     * a partition this server holds no position in is kept only while its chain remembers the
     * server (departed, or a last replica: it may hold what the others lost); otherwise no
     * chain counts on it (a move shed it, a copy to it was abandoned, or it registered again),
     * and it is deleted.
     */
    private Set<Integer> applyPositions(Map<Integer, ChainPosition> positions,
            Map<Integer, Long> chainEpochs, Set<Integer> settling, Set<Integer> remembered) {
        Set<Integer> needHello = new HashSet<>();
        int dropped = 0;
        Iterator<Map.Entry<Integer, PartitionReplica>> it = partitions.entrySet().iterator();
        while (it.hasNext()) {
            PartitionReplica pr = it.next().getValue();
            if (!positions.containsKey(pr.partition)) {
                LOG.debug("[{} p={} epoch={}] no longer in the chain: stopped serving", selfId,
                        pr.partition, ctx.epoch);
                dropped++;
                pr.drop(fx);
                positionsMoved++;
                storedApplied.put(pr.partition, pr.applied());
                storedCommitHolds.put(pr.partition, pr.commitHold());
                storedLineages.put(pr.partition, pr.lineage());
                it.remove();
            }
        }
        int purged = purgeUnneeded(positions, remembered);
        if (dropped > 0) {
            LOG.info("[{} epoch={}] left the chains of {} partitions: stopped serving them",
                    selfId, ctx.epoch, dropped);
        }
        int becameHead = 0;
        int becameTail = 0;
        for (Map.Entry<Integer, ChainPosition> e : positions.entrySet()) {
            int p = e.getKey();
            long chainEpoch = chainEpochs.get(p);
            PartitionReplica pr = partitions.get(p);
            if (pr == null) {
                long stored = storedApplied.getOrDefault(p, 0L);
                boolean restarted = restartedStore || storedApplied.containsKey(p);
                if (!e.getValue().member()) {
                    Long joinedIn = joinEpochs.get(p);
                    if (storedApplied.containsKey(p)
                            && (joinedIn == null || joinedIn != chainEpoch)) {
                        // Data left from an earlier membership may hold writes the chain never
                        // had (a head that died before forwarding them): it is discarded, and
                        // the copy brings the partition as the chain has it. Data of this very
                        // joining position (a restart that kept it) is what the tail sent us
                        // and may already have been reported caught up: it is kept.
                        fx.resets.add(p);
                        storedApplied.remove(p);
                        storedCommitHolds.remove(p);
                        storedLineages.remove(p);
                        stored = 0;
                    }
                    if (joinedIn == null || joinedIn != chainEpoch) {
                        joinEpochs.put(p, chainEpoch);
                        fx.joinEpochs.put(p, chainEpoch);
                    }
                } else if (joinEpochs.remove(p) != null) {
                    fx.joinEpochs.put(p, 0L);
                }
                partitions.put(p, new PartitionReplica(p, e.getValue(), chainEpoch, stored,
                        storedCommitHolds.getOrDefault(p, 0L),
                        storedLineages.getOrDefault(p, Lineage.FIRST), restarted,
                        settling.contains(p), ctx, fx));
                positionsMoved++;
                if (e.getValue().successor() != null) {
                    needHello.add(p);
                }
            } else {
                ChainPosition old = pr.position();
                positionsMoved += old.equals(e.getValue()) ? 0 : 1;
                if (e.getValue().member() && joinEpochs.remove(p) != null) {
                    fx.joinEpochs.put(p, 0L);
                } else if (!e.getValue().member() && !Long.valueOf(chainEpoch)
                        .equals(joinEpochs.get(p))) {
                    // Still joining the same partition, whose chain changed (its tail died):
                    // the data copied so far is still a prefix of the new tail's.
                    joinEpochs.put(p, chainEpoch);
                    fx.joinEpochs.put(p, chainEpoch);
                }
                if (pr.changePosition(e.getValue(), chainEpoch, settling.contains(p), fx)) {
                    needHello.add(p);
                }
                becameHead += e.getValue().head() && !old.head() ? 1 : 0;
                becameTail += e.getValue().tail() && !old.tail() ? 1 : 0;
            }
        }
        if (!fx.resets.isEmpty()) {
            ctx.dedup.removePartitions(new HashSet<>(fx.resets));
        }
        if (fx.resets.size() > purged) {
            LOG.info("[{} epoch={}] joining {} partitions this server held data for earlier:"
                    + " discarding that data for a fresh copy", selfId, ctx.epoch,
                    fx.resets.size() - purged);
        }
        if (purged > 0) {
            LOG.info("[{} epoch={}] no chain counts on this server's data of {} partitions it"
                    + " left: deleting it", selfId, ctx.epoch, purged);
        }
        if (becameHead + becameTail > 0) {
            LOG.info("[{} epoch={}] chain repair: became head of {} and tail of {} partitions"
                    + " (new tails committed what they held)", selfId, ctx.epoch, becameHead,
                    becameTail);
        }
        return needHello;
    }

    /** Deletes the stored data of partitions with no position here that no chain remembers. */
    private int purgeUnneeded(Map<Integer, ChainPosition> positions, Set<Integer> remembered) {
        int purged = 0;
        // What it may hold data of: partitions with a stored applied seq, and those it was
        // joining (a copy stores values before any applied seq).
        Set<Integer> held = new TreeSet<>(storedApplied.keySet());
        held.addAll(joinEpochs.keySet());
        for (Integer p : held) {
            if (!positions.containsKey(p) && !remembered.contains(p)) {
                storedApplied.remove(p);
                storedCommitHolds.remove(p);
                storedLineages.remove(p);
                fx.reset(p);
                if (joinEpochs.remove(p) != null) {
                    fx.joinEpochs.put(p, 0L);
                }
                purged++;
            }
        }
        return purged;
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
        return new Ready.Roles(ctx.epoch, Set.copyOf(headed), Set.copyOf(held));
    }
}
