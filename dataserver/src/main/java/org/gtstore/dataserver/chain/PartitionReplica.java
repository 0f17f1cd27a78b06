package org.gtstore.dataserver.chain;

import com.google.protobuf.ByteString;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.gtstore.proto.ChainMessage;
import org.gtstore.proto.CopyAck;
import org.gtstore.proto.CopyChunk;
import org.gtstore.proto.DedupEntry;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.PartitionTip;
import org.gtstore.proto.PutRequest;
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
 * <p>Recovery: a replica is <em>recovering</em> while what it holds may not be its chain's (one
 * with a predecessor that restarted on its store, or that was cut back, below): it
 * serves no reads and says no hello to its successor, so it forwards nothing, until it has
 * applied what its predecessor's hello said the predecessor held. A hello whose history
 * ({@link Lineage}) does not hold this replica's last applied update (a power cut in the
 * replicated mode left every replica a different prefix of the chain's updates, and a head may
 * have written other updates under the lost seqs since) cuts this replica back: its partition is
 * discarded and filled again by a copy from the predecessor, so a successor never keeps
 * updates its predecessor lacks and the head's history is the chain's. A head is never
 * recovering; one whose data predates its process opens a new branch before it writes, and so
 * does a replica promoted to head, so that a branch names one writer (Raft's term).
 *
 * <p>Settling: a head that restarted on its store may hold less than a successor (a power cut
 * took more of its log), so the metadata marks its chain settling; its head takes no writes and
 * says no hello (a hello from a predecessor holding less cuts the successor back), every member
 * reports its tip ({@link #tip}), and the metadata orders the chain by them. A head settled
 * behind another replica recovers from it like any restarted successor. A replica made head
 * while it is still recovering asks for the same (its tip says so) rather than write: it may
 * hold less than its successor.
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
    private long incomingCopyId = -1;
    /**
     * After a copy in version order started (snapshot seq S), the keys overwritten after our
     * applied seq are current only once applied reaches S: until then a tail acknowledges
     * nothing, so no acknowledged write is read older than it was. Stored while it lasts: a
     * restart in the middle of the copy must not take the partial state for committed (a retry
     * of a write the copy skipped would be acknowledged by its dedup entry at the head while
     * this tail reads the key older). On a joining replica, whose copy comes in key order, it
     * is how far the keys written so far may reach past applied: a predecessor whose history
     * lacks that seq (a power cut took it) cuts this replica back, or keys the chain lost would
     * stay here.
     */
    private long commitHold;
    private int incomingNext;
    /**
     * A joining replica that became the tail serves reads only once it has applied this seq:
     * its predecessor's applied seq when it said hello (everything the old tail acknowledged).
     * 0 when there is no barrier; {@code Long.MAX_VALUE} while that hello is awaited.
     */
    private long readBarrier;
    /** See the class comment. */
    private boolean recovering;
    /**
     * While recovering: the predecessor's applied seq as its hello said; recovery ends once
     * applied reaches it. {@code Long.MAX_VALUE} until that hello.
     */
    private long recoverUntil;
    /** This partition's history, as stored (see {@link Lineage}). */
    private Lineage lineage;
    /**
     * The head of a settling chain (see the class comment): no writes, no hello, until the
     * metadata has ordered the chain by what its replicas hold.
     */
    private boolean settleWait;
    /**
     * With {@code settleWait}: this replica was made head while it was still recovering (a
     * restart may have taken part of its log while a successor kept it), so it asks the
     * metadata to settle the chain (its tip says so) instead of writing.
     */
    private boolean settleAsked;

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
        this.unacked = new Retained(ctx);
        this.pos = pos;
        this.chainEpoch = chainEpoch;
        this.applied = storedAppliedSeq;
        // A restarted server cannot know what was committed; nothing it holds is un-acked in
        // memory, so a successor missing updates is caught up from the store.
        this.committed = storedAppliedSeq;
        this.commitHold = storedCommitHold > storedAppliedSeq ? storedCommitHold : 0;
        // A tail's applied state was committed, unless a copy was filling holes in it.
        this.ackedUpTo = pos.tail() && commitHold == 0 ? storedAppliedSeq : 0;
        this.lineage = storedLineage;
        if (restarted && pos.predecessor() != null) {
            recovering = true;
            recoverUntil = Long.MAX_VALUE;
        } else if (pos.member() && pos.predecessor() == null && settling) {
            settleWait = true;
        } else if (restarted && pos.member()) {
            openBranch(fx);
        }
    }

    /** True while this head waits for its settling chain to be ordered: it takes no writes. */
    boolean settleWait() {
        return settleWait;
    }

    /** True while this head asks the metadata to settle its chain (see the field). */
    boolean settleAsked() {
        return settleAsked;
    }

    /** What this replica holds, for the metadata's settling order (see {@code ReplicaTip}). */
    PartitionTip tip() {
        PartitionTip t = tipOf(partition, chainEpoch, applied, commitHold, lineage);
        return settleAsked ? t.toBuilder().setAskSettle(true).build() : t;
    }

    /**
     * The tip of a partition held as stored: the branch of its last applied update and that
     * seq; incomplete while a copy was filling holes (a commit hold) or the branch is unknown.
     */
    static PartitionTip tipOf(int partition, long chainEpoch, long applied, long commitHold,
            Lineage lineage) {
        long branch = lineage.branchOf(applied);
        return PartitionTip.newBuilder().setPartition(partition).setChainEpoch(chainEpoch)
                .setBranch(Math.max(0, branch)).setSeq(applied)
                .setIncomplete(commitHold != 0 || branch < 0).build();
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
        return commitHold;
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

    boolean recovering() {
        return recovering;
    }

    /**
     * False while this fresh tail waits to apply everything its predecessor had, and while it
     * recovers.
     */
    boolean readable() {
        return readBarrier == 0 && !recovering && !settleWait;
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
     * head keeps {@code replyTo}, to tell the client at once if it has to retry elsewhere.
     */
    void acceptWrite(PutRequest r, Object replyTo, Effects fx) {
        long seq = applied + 1;
        Update.Builder u = Update.newBuilder().setPartition(partition).setSeq(seq)
                .setKey(r.getKey()).setTombstone(r.getTombstone())
                .setClientId(r.getClientId()).setRequestId(r.getRequestId());
        if (!r.getTombstone()) {
            u.setValue(r.getValue());
        }
        apply(u.build(), fx);
        if (committed < seq) {
            waiters.addWrite(seq, replyTo, ctx.tick);
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
        if (recovering) {
            endRecoveryIfDone(fx);
        }
    }

    /**
     * Recovery ends once applied reached what the predecessor held and no copy is filling
     * holes; the successor then hears a hello (unless {@code helloByCaller}).
     */
    private boolean endRecoveryIfDone(Effects fx) {
        if (!recovering || applied < recoverUntil || commitHold != 0) {
            return false;
        }
        recovering = false;
        LOG.debug("[{} p={} epoch={}] recovered at seq={}", ctx.selfId, partition, ctx.epoch,
                applied);
        if (pos.successor() != null) {
            fx.helloDue.add(partition);
        }
        return true;
    }

    private void apply(Update u, Effects fx) {
        applied = u.getSeq();
        store(u, fx);
        liftCommitHold(fx);
        if (pos.tail() && !gated && applied >= commitHold) {
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
        liftReadBarrier();
    }

    /** Stores an applied update, and remembers its request so a retry is not applied again. */
    private void store(Update u, Effects fx) {
        fx.write(u);
        ctx.dedup.record(u.getClientId(), u.getRequestId(), partition, u.getSeq(), u.getKey());
    }

    /** Applied reached the hold: the state is whole again, here and in the store. */
    private void liftCommitHold(Effects fx) {
        if (commitHold != 0 && applied >= commitHold) {
            commitHold = 0;
            fx.commitHolds.put(partition, 0L);
        }
    }

    private void liftReadBarrier() {
        if (readBarrier != 0 && applied >= readBarrier) {
            readBarrier = 0;
        }
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

    private void trimUnacked(long seq) {
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
     * The successor answered our hello: acknowledge what it reports committed, then re-send
     * every update after its last applied seq (it drops duplicates by seq), or, if it is behind
     * the first update held in memory, start a state transfer. Returns how many updates were
     * re-sent, or -1 if a copy was started. Only the first reply after a hello counts: the
     * others answer retries of it, and acting on them would restart a copy in progress.
     */
    int receiveHelloReply(long successorApplied, long successorCommitted, Effects fx) {
        if (!feed.takeHelloReply(fx)) {
            return 0;
        }
        String successor = pos.successor();
        if (commitHold != 0) {
            // We are still receiving a copy in version order: until applied reaches the hold,
            // some keys are older than our applied seq says. Feeding the successor now would
            // hand those holes on, and its acks would then vouch for writes nobody holds. The
            // last chunk (or a tick, once the hold is lifted) says hello again.
            LOG.debug("[{} p={} epoch={}] not feeding {} before seq={} is applied (seq={})",
                    ctx.selfId, partition, ctx.epoch, successor, commitHold, applied);
            feed.hold();
            return 0;
        }
        feed.resume();
        if (pos.successorJoining()) {
            feed.noteJoiningApplied(successorApplied);
            trimUnacked(successorApplied);
        } else {
            // What the successor's clients were told is unknown here: the head answers them.
            receiveAck(Math.min(successorCommitted, applied), 0, fx);
        }
        if (successorApplied >= applied) {
            if (successorApplied > applied) {
                LOG.warn("[{} p={} epoch={}] successor {} has applied seq={} beyond ours seq={};"
                        + " it holds writes we never saw", ctx.selfId, partition, ctx.epoch,
                        successor, successorApplied, applied);
            }
            feed.becameSynced(fx);
            return 0;
        }
        if (successorApplied + 1 < firstKept()) {
            feed.startCopy(successorApplied, fx);
            return -1;
        }
        int resent = feed.resendAfter(successorApplied, fx);
        LOG.debug("[{} p={} epoch={}] re-sent {} updates after seq={} to {}",
                ctx.selfId, partition, ctx.epoch, resent, successorApplied, successor);
        feed.becameSynced(fx);
        return resent;
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
            incomingCopyId = c.getCopyId();
            incomingNext = 0;
            held.clear();
            if (!c.getInVersionOrder()) {
                // Keys come newest-version first per key, not in seq order: until the last
                // chunk what we hold may reach the snapshot seq, and a hello must check that.
                commitHold = Math.max(commitHold, c.getSnapshotSeq());
                fx.commitHolds.put(partition, commitHold);
            } else {
                // Held updates must stay a contiguous run ending at applied; the copy skips
                // overwritten versions, so our successor is re-synced after it instead (also
                // when the copy is cut short and the updates after it come live).
                commitHold = Math.max(commitHold, c.getSnapshotSeq());
                fx.commitHolds.put(partition, commitHold);
                unacked.clear();
                if (pos.successor() != null) {
                    feed.unsync(ctx.tick, fx);
                }
            }
        }
        if (c.getCopyId() != incomingCopyId || c.getIndex() != incomingNext) {
            LOG.debug("[{} p={} epoch={}] refusing chunk {} of copy {} (expecting {} of {})",
                    ctx.selfId, partition, ctx.epoch, c.getIndex(), c.getCopyId(), incomingNext,
                    incomingCopyId);
            return ChunkOutcome.REFUSED;
        }
        incomingNext++;
        ctx.dedup.copiedIn(partition);
        for (Update u : c.getEntriesList()) {
            if (!c.getInVersionOrder()) {
                fx.writeCopied(u);
            } else if (u.getSeq() > applied) {
                applied = u.getSeq();
                store(u.toBuilder().setCopied(false).build(), fx);
            }
        }
        // In version order a chunk brings the requests that wrote its keys (CopyChunk.dedup):
        // if the copy is cut short and this replica becomes head, a retry of a write it holds
        // is recognised, and a retry of one it does not hold is not applied twice: it was never
        // committed (nothing past our applied seq was, while the copy was needed), and one
        // whose first attempt predates the copy is refused (DedupTable.copiedIn).
        for (DedupEntry d : c.getDedupList()) {
            DedupRecord r = new DedupRecord(partition, d.getClientId(), d.getRequestId(),
                    d.getSeq(), d.getKey(), 0);
            ctx.dedup.record(r.clientId(), r.requestId(), partition, r.seq(), r.key());
            fx.addDedup(r);
        }
        liftCommitHold(fx);
        String pred = pos.predecessor();
        fx.outbox.control(pred, StreamKind.INBOUND, ChainMessage.newBuilder().setEpoch(ctx.epoch)
                .setCopyAck(CopyAck.newBuilder().setPartition(partition)
                        .setChainEpoch(chainEpoch).setCopyId(c.getCopyId())
                        .setIndex(c.getIndex())));
        if (!c.getLast()) {
            return ChunkOutcome.STORED;
        }
        incomingCopyId = -1;
        if (c.getSnapshotSeq() > applied) {
            applied = c.getSnapshotSeq();
            fx.appliedSeqs.put(partition, applied);
        }
        liftCommitHold(fx);
        if (pos.tail() && !gated && applied >= commitHold) {
            // The chunks after the data named every request of the partition the sender
            // remembers: the clients of those the copy just committed hear so from here.
            ctx.dedup.forEachApplied(partition, committed, applied, (clientId, requestId, seq) ->
                    fx.committed(ByteString.copyFromUtf8(clientId), requestId, partition, seq));
            committed = applied;
            ackedUpTo = applied;
            ackLater(fx);
            releaseWaiters(fx);
        } else if (!pos.member()) {
            fx.outbox.ack(pred, ctx.epoch, partition, chainEpoch, applied);
        }
        liftReadBarrier();
        if (recovering) {
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
        incomingCopyId = -1;
        long reach = pos.member() ? applied : Math.max(applied, commitHold);
        boolean cut = predecessorApplied >= 0 && !predecessorLineage.holds(
                lineage.branchOf(reach), reach, predecessorApplied);
        if (cut) {
            cutBack(predecessorApplied, predecessorLineage, fx);
        }
        if (predecessorApplied >= 0 && (cut || !predecessorLineage.equals(lineage))) {
            lineage = predecessorLineage;
            fx.lineages.put(partition, lineage);
            if (pos.successor() != null && !recovering) {
                fx.helloDue.add(partition);
            }
        }
        if (readBarrier != 0) {
            readBarrier = predecessorApplied;
            liftReadBarrier();
        }
        if (recovering && predecessorApplied >= 0) {
            recoverUntil = predecessorApplied;
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
        applied = 0;
        committed = 0;
        ackedUpTo = 0;
        answeredUpTo = 0;
        owedRepliesUpTo = 0;
        commitHold = 0;
        gated = false;
        ackDue = false;
        unacked.clear();
        if (pos.successor() != null) {
            feed.unsync(ctx.tick, fx);
        }
        recovering = true;
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
            incomingCopyId = -1;
        }
        if (old.tail() && !next.tail() && next.member()) {
            // A joining replica became the tail: the updates this tail applied and was waiting
            // on it for are committed by the new tail; their clients hear from here once its
            // acknowledgements say so.
            owedRepliesUpTo = committed < applied ? applied : 0;
        }
        feed.positionChanged(old, next, changed, fx);
        if (changed) {
            gated = false;
        }
        if (next.successor() != null && !next.successor().equals(old.successor())) {
            // What the tail confirmed through the old successor says nothing of the new one,
            // which may hold less (a settled chain can put a restarted replica after us): a
            // retry is answered once the new successor's hello reply or acks confirm it.
            ackedUpTo = 0;
        }
        boolean writer = next.member() && next.predecessor() == null;
        if (writer && settling) {
            recovering = false;
            settleAsked = false;
            settleWait = true;      // the metadata chooses who leads first
        } else if (writer && next.successor() != null && !next.successorJoining()
                && (recovering || settleAsked)) {
            // Made head before it learnt what its predecessor held: a successor may hold
            // more, so the chain settles first (see the class comment).
            recovering = false;
            settleAsked = true;
            settleWait = true;
        } else if (writer && (recovering || settleWait || old.predecessor() != null)) {
            // A new writer of this chain (restarted, settled or promoted): its history is the
            // chain's from now on, on a branch of its own (see Lineage).
            recovering = false;
            settleWait = false;
            settleAsked = false;
            openBranch(fx);
        } else if (settleWait) {
            // Settled behind a replica holding more: learn from it first.
            settleWait = false;
            settleAsked = false;
            recovering = true;
            recoverUntil = Long.MAX_VALUE;
        } else if (recovering && !Objects.equals(old.predecessor(), next.predecessor())) {
            recoverUntil = Long.MAX_VALUE;      // the new predecessor's hello says
        }
        if (next.tail() && !old.member() && next.predecessor() != null) {
            // A joining replica made the tail: the old tail, now its predecessor, may have
            // acknowledged updates that have not reached us yet. Reads wait for its hello.
            readBarrier = Long.MAX_VALUE;
        } else if (readBarrier != 0 && changed) {
            readBarrier = next.predecessor() == null ? 0 : Long.MAX_VALUE;
        }
        if (next.predecessor() == null && commitHold != 0) {
            commitHold = 0;   // nobody can bring more: what we hold is all there is
            fx.commitHolds.put(partition, 0L);
        }
        if (next.tail() && (!old.tail() || (!gated && Math.min(committed, ackedUpTo) < applied))
                && applied >= commitHold) {
            // The old tail is gone (or the joining replica this tail waited for, or the
            // predecessor whose copy this restarted tail was waiting for): everything we hold
            // is on every surviving member, so commit.
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
        return next.successor() != null && !recovering && !settleWait
                && (changed || feed.idle());
    }

    /** This server left the chain: stop serving; waiting puts are told to ask the new head. */
    void drop(Effects fx) {
        waiters.failAll(ErrorCode.NOT_RESPONSIBLE, "partition " + partition + " moved away from "
                + ctx.selfId, fx);
        unacked.clear();
        held.clear();
        feed.cancelCopy(fx);
    }

    /** Answers TIMEOUT to puts that waited too long for the tail; the client retries. */
    void expireWaiters(long tick, long waitTicksMax, Effects fx) {
        waiters.expire(tick, waitTicksMax, fx);
    }

    private void releaseWaiters(Effects fx) {
        waiters.release(committed, answeredUpTo, ackedUpTo, fx);
    }
}
