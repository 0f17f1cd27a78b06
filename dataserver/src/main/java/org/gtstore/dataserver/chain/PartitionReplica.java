package org.gtstore.dataserver.chain;

import com.google.protobuf.ByteString;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.gtstore.proto.CopyChunk;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.PartitionTip;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.PutResponse;
import org.gtstore.proto.Update;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition's chain replication state on this server: its position, what it has applied and
 * what is committed, the updates not yet acknowledged by the tail, and the client puts waiting
 * for that acknowledgement.
 *
 * <p>Invariants: {@code committed <= applied}; {@code unacked} holds a contiguous run of the
 * latest updates, ending at {@code applied}, that the successor may still need: on a non-tail
 * member at least {@code (committed, applied]} (unless this server restarted or was filled by a
 * copy: then what it lacks is sent by a copy from its store), on a tail feeding a joining
 * replica those the joining replica has not acknowledged applying (at most
 * {@code joiningRetainMax}). At the tail {@code committed == applied}. A successor behind the
 * first held update is caught up by a state transfer ({@link OutgoingCopy}), after which the
 * held updates follow.
 *
 * <p>Forwarding to the successor runs only while it is <em>synced</em>: after a chain change, a
 * broken stream or a rejection, the replica sends a hello for this partition and holds new
 * updates back (they stay in {@code unacked}) until the reply says what the successor has.
 * {@code chainEpoch} is the map epoch in which this partition's chain last changed: a message
 * or request from an epoch before it was built on another chain and is refused.
 *
 * <p>A replica that may not yet serve what it holds (recovering after a restart or a cut back,
 * or the head of a settling chain) says so through its {@link Recovery}; a hello whose history
 * ({@link Lineage}) does not hold this replica's last applied update cuts it back to nothing,
 * to be filled again by a copy from its predecessor.
 */
final class PartitionReplica {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionReplica.class);

    final int partition;
    private ChainPosition pos;
    private long applied;
    private long committed;
    private final Retained unacked;
    private final TreeMap<Long, Update> held = new TreeMap<>();
    private final PutWaiters waiters;
    private final KeyConditions conditions;
    private long chainEpoch;
    /** Feeding the successor: sync, hello, copy, a joining successor's progress. */
    final SuccessorFeed feed;
    private final ReplicaContext ctx;
    /**
     * Highest seq known to be committed at the tail, from evidence (an ack, a hello reply,
     * being the tail). Differs from {@code committed} after a restart of a non-tail member,
     * whose committed is set to its applied only to keep the invariant on {@code unacked}: a
     * retried put is answered only once this covers its seq.
     */
    private long ackedUpTo;
    /**
     * A tail whose joining successor is fed live commits an update only once the joining
     * replica has acknowledged applying it (it acts as a middle). So when the metadata makes
     * the joining replica the tail, it holds every acknowledged write, even if this server dies
     * at once. Set when the joining replica is synced; cleared only by a chain change.
     */
    private boolean gated;
    /**
     * This tail committed updates its predecessor has not heard of yet: the acknowledgement is
     * sent with the next tick (acknowledgements only free retention and settle retries, so they
     * are coalesced rather than sent per write; clients hear from the tail directly).
     */
    private boolean ackDue;
    /**
     * Every client whose write committed up to this seq was told so by a tail: at the tail,
     * what it answered itself without a gap; elsewhere, what the acknowledgements said. The
     * head answers the writes after it that its acknowledgements cover. 0 after a restart.
     */
    private long answeredUpTo;
    /**
     * A former tail (its joining successor was made the tail) owes its clients the Committed
     * replies of the updates up to this seq that it applied as the tail and had not committed
     * yet (it was waiting for the joining replica): they go out as the new tail's
     * acknowledgements cover them. 0 when it owes none.
     */
    private long owedRepliesUpTo;
    /**
     * A head whose chain changed answers, once committed, every write it had accepted by then,
     * whatever the acknowledgements say the tail answered: their clients registered their
     * sessions with the old chain's tail, which a replica made the tail cannot reach.
     */
    private long answerOwnUpTo;
    /** The receiving side of a state transfer into this replica. */
    private final IncomingCopy incoming;
    /** Whether what this replica holds may be served: recovery, settling, read barrier. */
    private final Recovery recovery = new Recovery();
    /** This partition's history, as stored (see {@link Lineage}). */
    private Lineage lineage;
    /**
     * @param storedCommitHold the commit hold of a copy in version order this server was
     *     receiving when it stopped, or 0
     * @param storedLineage the partition's history as stored
     * @param restarted true if the partition's data is from before this process started: a
     *     replica with a predecessor (a member or the joining replica) then recovers first, and
     *     a head opens a new branch
     * @param settling the chain is settling: a head waits for the metadata's order
     */
    PartitionReplica(int partition, ChainPosition pos, long chainEpoch, long storedAppliedSeq,
            long storedCommitHold, Lineage storedLineage, boolean restarted, boolean settling,
            ReplicaContext ctx, Effects fx) {
        this.partition = partition;
        this.ctx = ctx;
        this.feed = new SuccessorFeed(this, ctx);
        this.waiters = new PutWaiters(partition);
        this.conditions = new KeyConditions(partition, ctx);
        this.unacked = new Retained(ctx);
        this.pos = pos;
        this.chainEpoch = chainEpoch;
        this.applied = storedAppliedSeq;
        // A restarted server cannot know what was committed; nothing it holds is un-acked in
        // memory, so a successor missing updates is caught up from the store.
        this.committed = storedAppliedSeq;
        this.incoming = new IncomingCopy(partition, storedCommitHold, storedAppliedSeq, ctx);
        // A tail's applied state was committed, unless a copy was filling holes in it.
        this.ackedUpTo = pos.tail() && incoming.commitHold() == 0 ? storedAppliedSeq : 0;
        this.lineage = storedLineage;
        if (recovery.start(pos, restarted, settling)) {
            openBranch(fx);
        }
    }

    /** Whether what this replica holds may be served (recovery, settling, read barrier). */
    Recovery recovery() {
        return recovery;
    }

    /** What this replica holds, for the metadata's settling order (see {@code ReplicaTip}). */
    PartitionTip tip() {
        PartitionTip t = lineage.tip(partition, chainEpoch, applied, incoming.commitHold());
        return recovery.settleAsked() ? t.toBuilder().setAskSettle(true).build() : t;
    }

    /**
     * This head's data predates its process: what it gives seqs to from now on is a new branch
     * (stored before anything is sent), named by the map epoch and this server.
     */
    private void openBranch(Effects fx) {
        long id = ctx.epoch * 65_536 + (ctx.selfId.hashCode() & 0xffff);
        lineage = lineage.open(id, applied);
        fx.lineages.put(partition, lineage);
        LOG.debug("[{} p={} epoch={}] head after a restart: branch {} after seq={}", ctx.selfId,
                partition, ctx.epoch, id, applied);
    }

    Lineage lineage() {
        return lineage;
    }

    ChainPosition position() {
        return pos;
    }

    long applied() {
        return applied;
    }

    long committed() {
        return committed;
    }

    int unackedCount() {
        return unacked.size();
    }

    long chainEpoch() {
        return chainEpoch;
    }

    /** The seq below which a copy in version order is still filling holes, or 0. */
    long commitHold() {
        return incoming.commitHold();
    }

    /** True if a message or request built on map epoch {@code epoch} saw this chain. */
    boolean currentAt(long epoch) {
        return epoch >= chainEpoch;
    }

    /**
     * True if a chain message part was built on this very chain: the sender's chain epoch of
     * this partition is ours. A part without one ({@code senderChainEpoch == 0}) is judged by
     * the sender's map epoch, as a client request is.
     */
    boolean sameChain(long senderChainEpoch, long senderEpoch) {
        return senderChainEpoch > 0 ? senderChainEpoch == chainEpoch : currentAt(senderEpoch);
    }

    /** The updates kept for the successor, oldest first: a contiguous run ending at applied. */
    Iterable<Update> kept() {
        return unacked;
    }

    /** The seq of the oldest update kept for the successor (applied + 1 if none). */
    long firstKept() {
        return unacked.isEmpty() ? applied + 1 : unacked.peekFirst().getSeq();
    }

    /** The joining successor is fed live: commit only what it acknowledges applying. */
    void gate() {
        gated = true;
    }

    /**
     * At the head: gives the put the next sequence number, applies it and forwards it. The tail
     * answers the client once the write is committed; until the acknowledgement comes back the
     * head keeps {@code replyTo}, to tell the client at once if it has to retry elsewhere
     * ({@code replyTo} null: nobody waits, as for the head's own expiry deletes).
     *
     * @param nowMs the wall clock when the put arrived: its TTL counts from then
     */
    void acceptWrite(PutRequest r, Object replyTo, long nowMs, Effects fx) {
        long seq = applied + 1;
        Update.Builder u = Update.newBuilder().setPartition(partition).setSeq(seq)
                .setKey(r.getKey()).setTombstone(r.getTombstone())
                .setClientId(r.getClientId()).setRequestId(r.getRequestId());
        if (!r.getTombstone()) {
            u.setValue(r.getValue()).setExpiresAtMs(expiresAt(r, nowMs));
        }
        apply(u.build(), fx);
        if (committed < seq && replyTo != null) {
            waiters.addWrite(seq, replyTo, ctx.tick);
        }
    }

    /** When a put's value expires if it arrived at {@code nowMs}; 0: never. */
    static long expiresAt(PutRequest r, long nowMs) {
        return r.getTtlMs() > 0 && !r.getTombstone() ? nowMs + r.getTtlMs() : 0;
    }

    /**
     * At the head: a put that waits for a condition to be decided (a conditional one, or any
     * put of a key with one waiting); see {@link KeyConditions}.
     */
    boolean mustHold(PutRequest r) {
        return r.getConditional() || conditions.holds(r.getKey());
    }

    void hold(PutRequest r, Object replyTo, long nowMs, Effects fx) {
        conditions.hold(r, replyTo, nowMs, fx);
    }

    /**
     * At the head: deletes the key through the chain if its latest write is still the expired
     * one ({@code version}); a write of the key since keeps it. Decided in seq order with the
     * key's other writes, as a condition is.
     */
    void expire(ByteString key, long version, long nowMs, Effects fx) {
        PutRequest delete = PutRequest.newBuilder().setPartition(partition).setKey(key)
                .setTombstone(true).setConditional(true).setIfVersion(version).build();
        conditions.hold(delete, null, nowMs, fx);
    }

    /** The lease ended: puts waiting for a condition must not be decided by this head. */
    void leaseLost(Effects fx) {
        conditions.failAll(ErrorCode.UNAVAILABLE, ctx.selfId + " lost its metadata lease while"
                + " a condition of partition " + partition + " was checked; retry", fx);
    }

    /** The store's answer to a condition check of this partition. */
    void conditionRead(ChainEvent.ConditionRead e, Effects fx) {
        conditions.answered(e, this, fx);
    }

    /** At the head: a failed condition, answered once the version it saw ({@code seq}) commits. */
    void awaitConflict(long seq, Object replyTo, PutResponse conflict, Effects fx) {
        if (ackedUpTo >= seq) {
            fx.replies.add(new ClientReply.PutDone(replyTo, conflict));
        } else {
            waiters.addConflict(seq, replyTo, conflict, ctx.tick);
        }
    }

    /** At the head: a retried put whose original (seq) is applied; answer when it commits. */
    void awaitRetry(long seq, Object replyTo, Effects fx) {
        if (ackedUpTo >= seq) {
            fx.putOk(replyTo, seq);
        } else {
            waiters.addRetry(seq, replyTo, ctx.tick);
        }
    }

    /** An update from the predecessor: apply in seq order, drop duplicates, hold gaps. */
    void receiveUpdate(Update u, int heldMax, Effects fx) {
        long seq = u.getSeq();
        if (seq <= applied) {
            return;
        }
        if (seq > applied + 1) {
            if (held.size() < heldMax) {
                held.put(seq, u);
            } else if (LOG.isDebugEnabled()) {
                LOG.debug("[{} p={} epoch={}] gap buffer full, dropping seq={}",
                        ctx.selfId, partition, ctx.epoch, seq);
            }
            return;
        }
        apply(u, fx);
        while (!held.isEmpty() && held.firstKey() <= applied + 1) {
            Update next = held.pollFirstEntry().getValue();
            if (next.getSeq() == applied + 1) {
                apply(next, fx);
            }
        }
        endRecoveryIfDone(fx);
    }

    /** Recovery ended (see {@link Recovery#endIfDone}): the successor hears a hello. */
    private void endRecoveryIfDone(Effects fx) {
        if (!recovery.endIfDone(applied, incoming.commitHold())) {
            return;
        }
        LOG.debug("[{} p={} epoch={}] recovered at seq={}", ctx.selfId, partition, ctx.epoch,
                applied);
        if (pos.successor() != null) {
            fx.helloDue.add(partition);
        }
    }

    private void apply(Update u, Effects fx) {
        applied = u.getSeq();
        store(u, partition, ctx, fx);
        incoming.lift(applied, fx);
        if (pos.tail() && !gated && applied >= incoming.commitHold()) {
            committed = applied;
            ackedUpTo = applied;
            fx.committed(u);
            if (answeredUpTo >= u.getSeq() - 1) {
                answeredUpTo = u.getSeq();
            }
            ackLater(fx);
            releaseWaiters(fx);
        } else if (!pos.member() && pos.predecessor() != null) {
            // The joining replica reports progress to the tail at once (the tail commits, and
            // answers its clients, only on these reports); it commits nothing itself.
            fx.outbox.ack(pos.predecessor(), ctx.epoch, partition, chainEpoch, applied);
        }
        if (pos.successor() != null) {
            // Kept until the successor has it: for a member until the tail commits it, for a
            // joining successor until it acknowledges applying it (the old tail must be able to
            // re-send it once the joining replica is the tail).
            unacked.addLast(u);
            while (pos.tail() && !gated && (unacked.size() > ctx.config.joiningRetainMax()
                    || unacked.bytes() > ctx.config.retainedBytesMax() / 8)) {
                unacked.pollFirst();
            }
            if (feed.synced()) {
                fx.outbox.update(pos.successor(), ctx.epoch, chainEpoch, u);
            }
        }
        recovery.liftReadBarrier(applied);
    }

    /** Stores an applied update, and remembers its request so a retry is not applied again. */
    static void store(Update u, int partition, ReplicaContext ctx, Effects fx) {
        fx.write(u);
        ctx.dedup.record(u.getClientId(), u.getRequestId(), partition, u.getSeq(), u.getKey());
    }

    /**
     * Tells the clients of the held updates in (from, to] that their writes are committed;
     * true if every one of them was held (the tail answered the whole range).
     */
    private boolean replyCommitted(long from, long to, Effects fx) {
        if (to <= from) {
            return true;
        }
        long next = from + 1;
        for (Update u : unacked) {
            long seq = u.getSeq();
            if (seq > to) {
                break;
            }
            if (seq > from) {
                fx.committed(u);
                next = seq == next ? seq + 1 : next;
            }
        }
        return next > to;
    }

    /**
     * The tail committed more: its predecessor hears so with the next tick, or at once when the
     * config coalesces acknowledgements per pass only ({@code ackIntervalTicks == 0}).
     */
    private void ackLater(Effects fx) {
        ackDue = pos.predecessor() != null;
        if (ctx.config.ackIntervalTicks() == 0) {
            flushAck(fx);
        }
    }

    /** A tail's coalesced acknowledgement, if one is due. */
    private void flushAck(Effects fx) {
        if (ackDue && pos.tail() && pos.predecessor() != null) {
            fx.outbox.ack(pos.predecessor(), ctx.epoch, partition, chainEpoch, committed,
                    Math.min(answeredUpTo, committed));
        }
        ackDue = false;
    }

    /** Forgets the kept updates up to {@code seq}: the successor has them. */
    void trimUnacked(long seq) {
        while (!unacked.isEmpty() && unacked.peekFirst().getSeq() <= seq) {
            unacked.pollFirst();
        }
    }

    /**
     * The successor says everything up to seq is committed at the tail, and the tail told the
     * clients up to {@code answered}.
     */
    void receiveAck(long seq, long answered, Effects fx) {
        if (pos.successorJoining()) {
            feed.noteJoiningApplied(seq);
            if (gated) {
                commitUpTo(Math.min(seq, applied), fx);
            }
            trimUnacked(seq);
            feed.maybeReportCaughtUp(fx);
            return;
        }
        if (seq > applied) {
            LOG.warn("[{} p={} epoch={}] successor acked seq={} beyond applied seq={}",
                    ctx.selfId, partition, ctx.epoch, seq, applied);
            seq = applied;
        }
        if (owedRepliesUpTo > 0) {
            replyCommitted(committed, Math.min(seq, owedRepliesUpTo), fx);
            if (seq >= owedRepliesUpTo) {
                owedRepliesUpTo = 0;
            }
        }
        trimUnacked(seq);
        boolean news = seq > ackedUpTo || seq > committed;
        ackedUpTo = Math.max(ackedUpTo, seq);
        committed = Math.max(committed, seq);
        answeredUpTo = Math.max(answeredUpTo, Math.min(answered, seq));
        if (!news) {
            return;
        }
        // Upstream hears what the tail has confirmed, which after a restart may be less than
        // committed (set to applied only to keep the invariant on unacked).
        if (pos.predecessor() != null) {
            fx.outbox.ack(pos.predecessor(), ctx.epoch, partition, chainEpoch, ackedUpTo,
                    Math.min(answeredUpTo, ackedUpTo));
        }
        releaseWaiters(fx);
    }

    /** What this replica knows to be committed at the tail, for its predecessor's hello. */
    long knownCommitted() {
        return Math.min(committed, ackedUpTo);
    }

    /**
     * A gated tail: the joining replica has applied up to seq, so it is committed; the clients
     * of those updates hear so from here.
     */
    private void commitUpTo(long seq, Effects fx) {
        if (seq <= committed) {
            return;
        }
        if (replyCommitted(committed, seq, fx) && answeredUpTo >= committed) {
            answeredUpTo = seq;
        }
        committed = seq;
        ackedUpTo = Math.max(ackedUpTo, seq);
        ackLater(fx);
        releaseWaiters(fx);
    }

    /**
     * Per tick: send the coalesced acknowledgement, abandon a stalled copy (the successor is
     * asked again), retry the caught-up report.
     */
    boolean onTick(Effects fx) {
        flushAck(fx);
        feed.maybeReportCaughtUp(fx);
        return feed.abandonStalledCopy(fx);
    }

    // ---- state transfer, receiver side ----

    /**
     * A chunk of a copy from the predecessor: store its entries (newer wins), acknowledge it,
     * and with the last chunk take the snapshot's seq as applied, in the same batch.
     */
    ChunkOutcome receiveCopyChunk(CopyChunk c, Effects fx) {
        if (c.getIndex() == 0) {
            held.clear();
            incoming.begin(c, fx);
            if (c.getInVersionOrder()) {
                // Held updates must stay a contiguous run ending at applied; the copy skips
                // overwritten versions, so our successor is re-synced after it instead (also
                // when the copy is cut short and the updates after it come live).
                unacked.clear();
                if (pos.successor() != null) {
                    feed.unsync(ctx.tick, fx);
                }
            }
        }
        if (!incoming.take(c)) {
            return ChunkOutcome.REFUSED;
        }
        applied = incoming.store(c, applied, fx);
        incoming.lift(applied, fx);
        incoming.acknowledge(c, pos.predecessor(), chainEpoch, fx);
        return c.getLast() ? copyComplete(c, fx) : ChunkOutcome.STORED;
    }

    /** The last chunk of a copy is stored: this replica holds the snapshot's state. */
    private ChunkOutcome copyComplete(CopyChunk c, Effects fx) {
        long snapshotSeq = c.getSnapshotSeq();
        incoming.complete(c);
        if (snapshotSeq > applied) {
            applied = snapshotSeq;
            fx.appliedSeqs.put(partition, applied);
        }
        incoming.lift(applied, fx);
        if (pos.tail() && !gated && applied >= incoming.commitHold()) {
            // The chunks after the data named every request of the partition the sender
            // remembers: the clients of those the copy just committed hear so from here.
            ctx.dedup.forEachApplied(partition, committed, applied, (clientId, requestId, seq) ->
                    fx.committed(ByteString.copyFromUtf8(clientId), requestId, partition, seq));
            committed = applied;
            ackedUpTo = applied;
            ackLater(fx);
            releaseWaiters(fx);
        } else if (!pos.member()) {
            fx.outbox.ack(pos.predecessor(), ctx.epoch, partition, chainEpoch, applied);
        }
        recovery.liftReadBarrier(applied);
        if (recovery.recovering()) {
            endRecoveryIfDone(fx);
            return ChunkOutcome.STORED;
        }
        return pos.successor() != null ? ChunkOutcome.STORED_LAST_HELLO_SUCCESSOR
                : ChunkOutcome.STORED;
    }

    /**
     * The predecessor said hello: it will re-send from our applied seq, so forget the gaps. If
     * its history does not hold our last applied update, we are cut back to nothing (see the
     * class comment) and it copies the partition to us. Either way its history is ours from now
     * on. Returns true if we were cut back.
     *
     * @param predecessorApplied its applied seq, or -1 if the hello did not say
     * @param predecessorLineage its history of this partition
     */
    boolean receiveHello(long predecessorApplied, Lineage predecessorLineage, Effects fx) {
        held.clear();
        incoming.end();
        long reach = pos.member() ? applied : Math.max(applied, incoming.commitHold());
        boolean cut = predecessorApplied >= 0 && !predecessorLineage.holds(
                lineage.branchOf(reach), reach, predecessorApplied);
        if (cut) {
            cutBack(predecessorApplied, predecessorLineage, fx);
        }
        if (predecessorApplied >= 0 && (cut || !predecessorLineage.equals(lineage))) {
            lineage = predecessorLineage;
            fx.lineages.put(partition, lineage);
            if (pos.successor() != null && !recovery.recovering()) {
                fx.helloDue.add(partition);
            }
        }
        recovery.predecessorHeld(predecessorApplied, applied);
        if (predecessorApplied >= 0) {
            endRecoveryIfDone(fx);
        }
        return cut;
    }

    /**
     * Discards the partition (values, dedup entries, applied seq, in the next store batch)
     * because the predecessor holds less: what only we hold is not the chain's, and a head
     * reusing those seqs would have its writes dropped here as duplicates.
     */
    private void cutBack(long predecessorApplied, Lineage predecessorLineage, Effects fx) {
        LOG.warn("[{} p={} epoch={}] predecessor {} (at seq={}, branches {}) does not hold our"
                + " seq={} (branches {}): an unclean stop lost what was not written to disk;"
                + " discarding this partition for a copy from it", ctx.selfId, partition,
                ctx.epoch, pos.predecessor(), predecessorApplied, predecessorLineage, applied,
                lineage);
        fx.reset(partition);
        ctx.dedup.removePartitions(Set.of(partition));
        if (!pos.member()) {
            fx.joinEpochs.put(partition, chainEpoch);   // still joining in this chain epoch
        }
        waiters.failAll(ErrorCode.UNAVAILABLE, "partition " + partition + " on " + ctx.selfId
                + " is being copied again from its predecessor", fx);
        conditions.failAll(ErrorCode.UNAVAILABLE, "partition " + partition + " on "
                + ctx.selfId + " is being copied again from its predecessor", fx);
        applied = 0;
        committed = 0;
        ackedUpTo = 0;
        answeredUpTo = 0;
        owedRepliesUpTo = 0;
        answerOwnUpTo = 0;
        incoming.discard();
        gated = false;
        ackDue = false;
        unacked.clear();
        if (pos.successor() != null) {
            feed.unsync(ctx.tick, fx);
        }
        recovery.cutBack();
    }

    /**
     * Applies a new map's position (chain repair rules of DESIGN.md). Returns true if the
     * successor must be sent a hello (the chain changed, or it is not synced and no hello or copy
     * is under way).
     */
    boolean changePosition(ChainPosition next, long nextChainEpoch, boolean settling,
            Effects fx) {
        ChainPosition old = pos;
        boolean changed = nextChainEpoch != chainEpoch || !old.equals(next);
        pos = next;
        chainEpoch = nextChainEpoch;
        if (!Objects.equals(old.predecessor(), next.predecessor())) {
            held.clear();
            incoming.end();
        }
        if (old.tail() && !next.tail() && next.member()) {
            // A joining replica became the tail: the updates this tail applied and was waiting
            // on it for are committed by the new tail; their clients hear from here once its
            // acknowledgements say so.
            owedRepliesUpTo = committed < applied ? applied : 0;
        }
        feed.positionChanged(old, next, changed, fx);
        if (changed) {
            conditions.failAll(ErrorCode.STALE_EPOCH, "the chain of partition " + partition
                    + " changed in epoch " + nextChainEpoch + " while a condition was checked",
                    fx);
            gated = false;
            if (next.head()) {
                answerOwnUpTo = applied;
            }
        }
        if (next.successor() != null && !next.successor().equals(old.successor())) {
            // What the tail confirmed through the old successor says nothing of the new one,
            // which may hold less (a settled chain can put a restarted replica after us): a
            // retry is answered once the new successor's hello reply or acks confirm it.
            ackedUpTo = 0;
        }
        if (recovery.positionChanged(old, next, changed, settling)) {
            openBranch(fx);
        }
        if (next.predecessor() == null) {
            incoming.release(fx);
        }
        if (next.tail() && (!old.tail() || (!gated && Math.min(committed, ackedUpTo) < applied))
                && applied >= incoming.commitHold()) {
            commitAsNewTail(next, fx);
        }
        if (next.successor() == null) {
            unacked.clear();
        }
        if (next.head() && !old.head()) {
            LOG.debug("[{} p={} epoch={}] became head at seq={}", ctx.selfId, partition, ctx.epoch,
                    applied);
        }
        // Unchanged chain: a hello only where none is under way. A copy in progress or a hello
        // awaiting its reply goes on (the tick retries a lost hello); a new hello would cancel
        // the copy and start it again from scratch, and restoring K changes the map once per
        // batch of finished copies, a dozen epochs in a few seconds.
        return next.successor() != null && recovery.mayFeed() && (changed || feed.idle());
    }

    /**
     * This replica became the tail in the new map, or stays the tail with nothing left to wait
     * for: the old tail is gone (or the joining replica this tail waited for, or the
     * predecessor whose copy this restarted tail was waiting for), so everything it holds is on
     * every surviving member: commit it, and tell the clients and the predecessor.
     */
    private void commitAsNewTail(ChainPosition next, Effects fx) {
        long before = committed;
        long known = Math.min(committed, ackedUpTo);
        answeredUpTo = Math.min(answeredUpTo, known);
        if (replyCommitted(known, applied, fx)) {
            answeredUpTo = applied;
        }
        committed = applied;
        ackedUpTo = applied;
        owedRepliesUpTo = 0;
        if (!next.successorJoining()) {
            unacked.clear();
        }
        if (next.predecessor() != null && committed > before) {
            fx.outbox.ack(next.predecessor(), ctx.epoch, partition, chainEpoch, committed,
                    answeredUpTo);
        }
        releaseWaiters(fx);
        LOG.debug("[{} p={} epoch={}] became tail, committed seq={}..{}",
                ctx.selfId, partition, ctx.epoch, before + 1, committed);
    }

    /** This server left the chain: stop serving; waiting puts are told to ask the new head. */
    void drop(Effects fx) {
        waiters.failAll(ErrorCode.NOT_RESPONSIBLE, "partition " + partition + " moved away from "
                + ctx.selfId, fx);
        conditions.failAll(ErrorCode.NOT_RESPONSIBLE, "partition " + partition
                + " moved away from " + ctx.selfId, fx);
        unacked.clear();
        held.clear();
        feed.cancelCopy(fx);
    }

    /** Answers TIMEOUT to puts that waited too long for the tail; the client retries. */
    void expireWaiters(long tick, long waitTicksMax, Effects fx) {
        waiters.expire(tick, waitTicksMax, fx);
        conditions.expire(tick, waitTicksMax, fx);
    }

    private void releaseWaiters(Effects fx) {
        waiters.release(committed, answeredUpTo, answerOwnUpTo, ackedUpTo, fx);
    }
}
