package org.gtstore.dataserver.chain;

import java.util.Objects;
import org.gtstore.proto.Update;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one partition's replica feeds its successor: whether the successor is <em>synced</em>
 * (updates are forwarded live), the hello that re-syncs it, the state transfer
 * ({@link OutgoingCopy}) that catches it up when it is behind what the replica holds in memory,
 * and, for a joining successor, how far it has applied and the report that it caught up.
 *
 * <p>The replica ({@link PartitionReplica}) owns the chain state this reads (position, applied
 * seq, the updates kept for the successor); this owns only the feed's own progress.
 */
final class SuccessorFeed {
    private static final Logger LOG = LoggerFactory.getLogger(SuccessorFeed.class);

    private final PartitionReplica r;
    private final ReplicaContext ctx;
    private boolean synced;
    /** A hello is unanswered; replies beyond the first (to retries) are stale and ignored. */
    private boolean helloPending;
    private long helloSentTick;
    private OutgoingCopy outgoing;
    private long lastCopyTotal;
    /** A joining successor's applied seq, as its acknowledgements report; -1 if unknown. */
    private long joiningApplied = -1;
    /** The applied seq when the joining successor was last made whole; -1 until then. */
    private long syncTarget = -1;
    private long caughtUpReportTick = Long.MIN_VALUE / 2;

    SuccessorFeed(PartitionReplica replica, ReplicaContext ctx) {
        this.r = replica;
        this.ctx = ctx;
    }

    boolean synced() {
        return synced;
    }

    long helloSentTick() {
        return helloSentTick;
    }

    /** True while a state transfer to the successor is under way. */
    boolean copying() {
        return outgoing != null;
    }

    long joiningApplied() {
        return joiningApplied;
    }

    /** True if nothing re-syncs the successor: neither synced, nor a hello or copy under way. */
    boolean idle() {
        return !synced && !helloPending && outgoing == null;
    }

    /** A hello for this partition goes to the successor now; forwarding waits for the reply. */
    void helloSent(long tick, Effects fx) {
        cancelCopy(fx);
        helloPending = true;
        synced = false;
        helloSentTick = tick;
    }

    /** Updates to the successor may have been lost: hold forwarding until the next hello. */
    void unsync(long tick, Effects fx) {
        helloPending = false;   // any reply to the last hello predates the loss: ignore it
        if (outgoing != null) {
            cancelCopy(fx);
            helloSentTick = Long.MIN_VALUE / 2;
        }
        if (synced) {
            synced = false;
            helloSentTick = tick;
        }
    }

    /**
     * The successor answered our hello: acknowledge what it reports committed, then re-send
     * every update after its last applied seq (it drops duplicates by seq), or, if it is behind
     * the first update held in memory, start a state transfer. Returns how many updates were
     * re-sent, or -1 if a copy was started. Only the first reply after a hello counts: the
     * others answer retries of it, and acting on them would restart a copy in progress.
     */
    int helloReply(long successorApplied, long successorCommitted, Effects fx) {
        if (!helloPending) {
            return 0;
        }
        helloPending = false;
        cancelCopy(fx);
        ChainPosition pos = r.position();
        String successor = pos.successor();
        long applied = r.applied();
        if (r.commitHold() != 0) {
            // We are still receiving a copy in version order: until applied reaches the hold,
            // some keys are older than our applied seq says. Feeding the successor now would
            // hand those holes on, and its acks would then vouch for writes nobody holds. The
            // last chunk (or a tick, once the hold is lifted) says hello again.
            LOG.debug("[{} p={} epoch={}] not feeding {} before seq={} is applied (seq={})",
                    ctx.selfId, r.partition, ctx.epoch, successor, r.commitHold(), applied);
            synced = false;     // forwarding stays held
            return 0;
        }
        synced = true;
        if (pos.successorJoining()) {
            noteJoiningApplied(successorApplied);
            r.trimUnacked(successorApplied);
        } else {
            // What the successor's clients were told is unknown here: the head answers them.
            r.receiveAck(Math.min(successorCommitted, applied), 0, fx);
        }
        if (successorApplied >= applied) {
            if (successorApplied > applied) {
                LOG.warn("[{} p={} epoch={}] successor {} has applied seq={} beyond ours seq={};"
                        + " it holds writes we never saw", ctx.selfId, r.partition, ctx.epoch,
                        successor, successorApplied, applied);
            }
            becameSynced(fx);
            return 0;
        }
        if (successorApplied + 1 < r.firstKept()) {
            startCopy(successorApplied, fx);
            return -1;
        }
        int resent = resendAfter(successorApplied, fx);
        LOG.debug("[{} p={} epoch={}] re-sent {} updates after seq={} to {}",
                ctx.selfId, r.partition, ctx.epoch, resent, successorApplied, successor);
        becameSynced(fx);
        return resent;
    }

    /** The joining successor has applied up to {@code seq}. */
    void noteJoiningApplied(long seq) {
        joiningApplied = Math.max(joiningApplied, seq);
    }

    /** Re-sends every kept update after {@code seq}; returns how many. */
    int resendAfter(long seq, Effects fx) {
        int resent = 0;
        for (Update u : r.kept()) {
            if (u.getSeq() > seq) {
                fx.outbox.update(r.position().successor(), ctx.epoch, r.chainEpoch(), u);
                resent++;
            }
        }
        return resent;
    }

    /** The successor has everything: forward live from now on. */
    void becameSynced(Effects fx) {
        if (r.position().successorJoining()) {
            r.gate();
        }
        synced = true;
        syncTarget = r.applied();
        maybeReportCaughtUp(fx);
    }

    /** The successor is behind what is kept in memory: copy from the store. */
    void startCopy(long successorApplied, Effects fx) {
        synced = false;
        ChainPosition pos = r.position();
        outgoing = new OutgoingCopy(ctx.newCopyId(), r.partition, pos.successor(),
                successorApplied, !pos.successorJoining(), ctx.tick);
        fx.copyCommands.add(outgoing);
    }

    /** The Ready that started the copy is drained: the snapshot is taken at our applied seq. */
    CopyCommand.Start copyStarted(OutgoingCopy c, Effects fx) {
        if (c != outgoing || c.cancelled) {
            return null;
        }
        return c.start(r.applied(), ctx.config.copyWindowChunks(),
                ctx.dedup.memoryMs(r.partition, ctx.config.tickMs()));
    }

    void cancelCopy(Effects fx) {
        if (outgoing != null) {
            outgoing.cancel(fx);
            outgoing = null;
        }
    }

    /** The copier read a chunk: send it; after the last one, the kept updates follow. */
    void copyChunkRead(ChainEvent.CopyChunkRead e, Effects fx) {
        OutgoingCopy c = outgoing;
        if (c == null || c.id != e.copyId() || !c.started) {
            return;
        }
        c.send(e, r.chainEpoch(), ctx, fx);
        if (!e.last()) {
            return;
        }
        outgoing = null;
        lastCopyTotal = c.totalKeys;
        if (c.snapshotSeq + 1 < r.firstKept()) {
            // Updates after the snapshot were dropped meanwhile (joiningRetainMax): copy again.
            startCopy(c.snapshotSeq, fx);
            return;
        }
        resendAfter(c.snapshotSeq, fx);
        becameSynced(fx);
    }

    /** The successor persisted chunk {@code index} of copy {@code copyId}: read another. */
    void copyAcked(long copyId, Effects fx) {
        if (outgoing != null && outgoing.id == copyId && outgoing.started) {
            outgoing.lastActivityTick = ctx.tick;
            fx.copyCommands.add(new CopyCommand.Pull(copyId, 1));
        }
    }

    /** Progress of feeding a joining successor, or null if this replica feeds none. */
    CopyStatus copyStatus() {
        ChainPosition pos = r.position();
        if (!pos.successorJoining()) {
            return null;
        }
        if (outgoing != null) {
            return new CopyStatus(r.partition, pos.successor(), outgoing.copiedKeys,
                    outgoing.totalKeys);
        }
        return new CopyStatus(r.partition, pos.successor(), lastCopyTotal, lastCopyTotal);
    }

    /**
     * The joining successor has applied everything this replica held when the stream to it
     * went live: ask the metadata to make it the tail (again every few ticks until it does).
     */
    void maybeReportCaughtUp(Effects fx) {
        ChainPosition pos = r.position();
        if (!pos.successorJoining() || !synced || outgoing != null || syncTarget < 0
                || joiningApplied < syncTarget
                || ctx.tick - caughtUpReportTick < ctx.config.caughtUpRetryTicks()) {
            return;
        }
        caughtUpReportTick = ctx.tick;
        fx.caughtUp.add(new CaughtUpReport(r.partition, pos.successor(), ctx.epoch,
                joiningApplied, ctx.incarnations.getOrDefault(pos.successor(), 0L)));
    }

    /** Per tick: abandons a stalled copy; true if the successor is to be asked again. */
    boolean abandonStalledCopy(Effects fx) {
        if (outgoing != null && outgoing.started
                && ctx.tick - outgoing.lastActivityTick >= ctx.config.copyStallTicks()) {
            LOG.warn("[{} p={} epoch={}] {} stalled for {} ticks; asking the successor again",
                    ctx.selfId, r.partition, ctx.epoch, outgoing, ctx.config.copyStallTicks());
            cancelCopy(fx);
            return true;
        }
        return false;
    }

    /** The partition's chain changed ({@code changed}) or kept its shape in a new map. */
    void positionChanged(ChainPosition old, ChainPosition next, boolean changed, Effects fx) {
        if (changed) {
            cancelCopy(fx);
            syncTarget = -1;
            caughtUpReportTick = Long.MIN_VALUE / 2;
        }
        if (!next.successorJoining() || !Objects.equals(old.successor(), next.successor())) {
            joiningApplied = -1;
        }
    }
}
