package org.gtstore.dataserver.chain;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.Update;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition's chain replication state on this server: its position, what it has applied and
 * what is committed, the updates not yet acknowledged by the tail, and the client puts waiting
 * for that acknowledgement.
 *
 * <p>Invariants: {@code committed <= applied}; {@code unacked} holds exactly the updates with
 * seq in {@code (committed, applied]} on a non-tail member (so a new successor can be given
 * everything it misses); at the tail {@code committed == applied}.
 *
 * <p>Forwarding to the successor runs only while it is <em>synced</em>: after a chain change, a
 * broken stream or a rejection, the replica sends a hello for this partition and holds new
 * updates back (they stay in {@code unacked}) until the reply says what the successor has.
 * {@code chainEpoch} is the map epoch in which this partition's chain last changed: a message
 * or request from an epoch before it was built on another chain and is refused.
 */
final class PartitionReplica {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionReplica.class);

    /** A client put waiting for the tail's acknowledgement of {@code seq}. */
    private record Waiter(long seq, long token, long sinceTick) {
    }

    final int partition;
    private ChainPosition pos;
    private long applied;
    private long committed;
    private final ArrayDeque<Update> unacked = new ArrayDeque<>();
    private final TreeMap<Long, Update> held = new TreeMap<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    /** Retries of puts still in flight: few, and not in seq order with {@link #waiters}. */
    private final List<Waiter> retryWaiters = new ArrayList<>();
    private long joiningApplied = -1;
    private long chainEpoch;
    private boolean successorSynced;
    private long helloSentTick;

    PartitionReplica(int partition, ChainPosition pos, long chainEpoch, long storedAppliedSeq) {
        this.partition = partition;
        this.pos = pos;
        this.chainEpoch = chainEpoch;
        this.applied = storedAppliedSeq;
        // A restarted server cannot know what was committed; nothing it holds is un-acked in
        // memory, so a successor missing updates is caught up from the store (issue #4).
        this.committed = storedAppliedSeq;
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

    long joiningApplied() {
        return joiningApplied;
    }

    long chainEpoch() {
        return chainEpoch;
    }

    /** True if a message or request built on map epoch {@code epoch} saw this chain. */
    boolean currentAt(long epoch) {
        return epoch >= chainEpoch;
    }

    boolean successorSynced() {
        return successorSynced;
    }

    long helloSentTick() {
        return helloSentTick;
    }

    /** A hello for this partition goes to the successor now; forwarding waits for the reply. */
    void helloSent(long tick) {
        successorSynced = false;
        helloSentTick = tick;
    }

    /** Updates to the successor may have been lost: hold forwarding until the next hello. */
    void unsync(long tick) {
        if (successorSynced) {
            successorSynced = false;
            helloSentTick = tick;
        }
    }

    /** At the head: gives the put the next sequence number, applies it and forwards it. */
    void acceptWrite(PutRequest r, long token, Effects fx) {
        long seq = applied + 1;
        Update.Builder u = Update.newBuilder().setPartition(partition).setSeq(seq)
                .setKey(r.getKey()).setTombstone(r.getTombstone())
                .setClientId(r.getClientId()).setRequestId(r.getRequestId());
        if (!r.getTombstone()) {
            u.setValue(r.getValue());
        }
        apply(u.build(), fx);
        if (committed >= seq) {
            fx.putOk(token, seq);
        } else {
            waiters.addLast(new Waiter(seq, token, fx.tick));
        }
    }

    /** At the head: a retried put whose original (seq) is applied; answer when it commits. */
    void awaitRetry(long seq, long token, Effects fx) {
        if (committed >= seq) {
            fx.putOk(token, seq);
        } else {
            retryWaiters.add(new Waiter(seq, token, fx.tick));
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
                        fx.selfId, partition, fx.epoch, seq);
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
    }

    private void apply(Update u, Effects fx) {
        applied = u.getSeq();
        fx.write(u);
        if (pos.tail()) {
            committed = applied;
            if (pos.predecessor() != null) {
                fx.outbox.ack(pos.predecessor(), fx.epoch, partition, committed);
            }
            releaseWaiters(fx);
        } else if (pos.member()) {
            unacked.addLast(u);
        } else if (pos.predecessor() != null) {
            // The joining replica reports progress to the tail; it commits nothing.
            fx.outbox.ack(pos.predecessor(), fx.epoch, partition, applied);
        }
        if (pos.successor() != null && successorSynced) {
            fx.outbox.update(pos.successor(), fx.epoch, u);
        }
    }

    /** The successor says everything up to seq is committed at the tail. */
    void receiveAck(long seq, Effects fx) {
        if (pos.successorJoining()) {
            joiningApplied = Math.max(joiningApplied, seq);
            return;
        }
        if (seq <= committed) {
            return;
        }
        if (seq > applied) {
            LOG.warn("[{} p={} epoch={}] successor acked seq={} beyond applied seq={}",
                    fx.selfId, partition, fx.epoch, seq, applied);
            seq = applied;
        }
        committed = seq;
        while (!unacked.isEmpty() && unacked.peekFirst().getSeq() <= committed) {
            unacked.pollFirst();
        }
        if (pos.predecessor() != null) {
            fx.outbox.ack(pos.predecessor(), fx.epoch, partition, committed);
        }
        releaseWaiters(fx);
    }

    /**
     * The successor answered our hello: acknowledge what it reports committed, then re-send
     * every update after its last applied seq (it drops duplicates by seq). Returns how many
     * updates were re-sent.
     */
    int receiveHelloReply(long successorApplied, long successorCommitted, Effects fx) {
        String successor = pos.successor();
        successorSynced = true;
        if (pos.successorJoining()) {
            joiningApplied = Math.max(joiningApplied, successorApplied);
        } else if (successorCommitted > committed) {
            receiveAck(Math.min(successorCommitted, applied), fx);
        }
        if (successorApplied >= applied) {
            if (successorApplied > applied) {
                LOG.warn("[{} p={} epoch={}] successor {} has applied seq={} beyond ours seq={};"
                        + " it holds writes we never saw", fx.selfId, partition, fx.epoch,
                        successor, successorApplied, applied);
            }
            return 0;
        }
        long firstHeld = unacked.isEmpty() ? applied + 1 : unacked.peekFirst().getSeq();
        if (successorApplied + 1 < firstHeld) {
            fx.catchUps.add(new CatchUpNeeded(partition, successor, successorApplied, applied));
            return 0;
        }
        int resent = 0;
        for (Update u : unacked) {
            if (u.getSeq() > successorApplied) {
                fx.outbox.update(successor, fx.epoch, u);
                resent++;
            }
        }
        LOG.debug("[{} p={} epoch={}] re-sent {} updates after seq={} to {}",
                fx.selfId, partition, fx.epoch, resent, successorApplied, successor);
        return resent;
    }

    /** The predecessor said hello: it will re-send from our applied seq, so forget the gaps. */
    void clearHeld() {
        held.clear();
    }

    /**
     * Applies a new map's position (chain repair rules of DESIGN.md). Returns true if the
     * successor must be sent a hello (the chain changed, or it was not synced).
     */
    boolean changePosition(ChainPosition next, long nextChainEpoch, Effects fx) {
        ChainPosition old = pos;
        boolean changed = nextChainEpoch != chainEpoch || !old.equals(next);
        pos = next;
        chainEpoch = nextChainEpoch;
        if (!Objects.equals(old.predecessor(), next.predecessor())) {
            held.clear();
        }
        if (!next.successorJoining()) {
            joiningApplied = -1;
        }
        if (next.tail() && !old.tail()) {
            // The old tail is gone: everything we hold is on every surviving member, so commit.
            long before = committed;
            committed = applied;
            unacked.clear();
            if (next.predecessor() != null && committed > before) {
                fx.outbox.ack(next.predecessor(), fx.epoch, partition, committed);
            }
            releaseWaiters(fx);
            LOG.debug("[{} p={} epoch={}] became tail, committed seq={}..{}",
                    fx.selfId, partition, fx.epoch, before + 1, committed);
        }
        if (next.head() && !old.head()) {
            LOG.debug("[{} p={} epoch={}] became head, next seq={}",
                    fx.selfId, partition, fx.epoch, applied + 1);
        }
        return next.successor() != null && (changed || !successorSynced);
    }

    /** This server left the chain: stop serving; waiting puts are told to ask the new head. */
    void drop(Effects fx) {
        String msg = "partition " + partition + " moved away from " + fx.selfId;
        for (Waiter w : waiters) {
            fx.putError(w.token(), ErrorCode.NOT_RESPONSIBLE, msg);
        }
        for (Waiter w : retryWaiters) {
            fx.putError(w.token(), ErrorCode.NOT_RESPONSIBLE, msg);
        }
        waiters.clear();
        retryWaiters.clear();
        unacked.clear();
        held.clear();
    }

    /** Answers TIMEOUT to puts that waited too long for the tail; the client will retry. */
    void expireWaiters(long tick, long waitTicksMax, Effects fx) {
        while (!waiters.isEmpty() && tick - waiters.peekFirst().sinceTick() >= waitTicksMax) {
            Waiter w = waiters.pollFirst();
            fx.putError(w.token(), ErrorCode.TIMEOUT, "no acknowledgement from the tail for seq "
                    + w.seq() + " of partition " + partition);
        }
        Iterator<Waiter> it = retryWaiters.iterator();
        while (it.hasNext()) {
            Waiter w = it.next();
            if (tick - w.sinceTick() >= waitTicksMax) {
                it.remove();
                fx.putError(w.token(), ErrorCode.TIMEOUT, "no acknowledgement from the tail");
            }
        }
    }

    private void releaseWaiters(Effects fx) {
        while (!waiters.isEmpty() && waiters.peekFirst().seq() <= committed) {
            Waiter w = waiters.pollFirst();
            fx.putOk(w.token(), w.seq());
        }
        if (!retryWaiters.isEmpty()) {
            retryWaiters.removeIf(w -> {
                if (w.seq() <= committed) {
                    fx.putOk(w.token(), w.seq());
                    return true;
                }
                return false;
            });
        }
    }
}
