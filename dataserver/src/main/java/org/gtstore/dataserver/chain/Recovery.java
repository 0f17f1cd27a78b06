package org.gtstore.dataserver.chain;

import java.util.Objects;

/**
 * Whether one partition's replica may serve what it holds: recovery, the settling of a chain,
 * and a fresh tail's read barrier. The replica ({@link PartitionReplica}) owns the data and
 * asks this what it may do with it.
 *
 * <p>Recovery: a replica is <em>recovering</em> while what it holds may not be its chain's (one
 * with a predecessor that restarted on its store, or that was cut back): it serves no reads and
 * says no hello to its successor, so it forwards nothing, until it has applied what its
 * predecessor's hello said the predecessor held. A hello whose history ({@link Lineage}) does
 * not hold this replica's last applied update (a power cut in the replicated mode left every
 * replica a different prefix of the chain's updates, and a head may have written other updates
 * under the lost seqs since) cuts the replica back: its partition is discarded and filled again
 * by a copy from the predecessor, so a successor never keeps updates its predecessor lacks and
 * the head's history is the chain's. A head is never recovering; one whose data predates its
 * process opens a new branch before it writes, and so does a replica promoted to head, so that
 * a branch names one writer (Raft's term).
 *
 * <p>Settling: a head that restarted on its store may hold less than a successor (a power cut
 * took more of its log), so the metadata marks its chain settling; its head takes no writes and
 * says no hello (a hello from a predecessor holding less cuts the successor back), every member
 * reports its tip ({@link PartitionReplica#tip}), and the metadata orders the chain by them. A
 * head settled behind another replica recovers from it like any restarted successor. A replica
 * made head while it is still recovering asks for the same (its tip says so) rather than write:
 * it may hold less than its successor.
 */
final class Recovery {
    private boolean recovering;
    /**
     * While recovering: the predecessor's applied seq as its hello said; recovery ends once
     * applied reaches it. {@code Long.MAX_VALUE} until that hello.
     */
    private long recoverUntil;
    /**
     * The head of a settling chain: no writes, no hello, until the metadata has ordered the
     * chain by what its replicas hold.
     */
    private boolean settleWait;
    /**
     * With {@code settleWait}: this replica was made head while it was still recovering (a
     * restart may have taken part of its log while a successor kept it), so it asks the
     * metadata to settle the chain (its tip says so) instead of writing.
     */
    private boolean settleAsked;
    /**
     * A joining replica that became the tail serves reads only once it has applied this seq:
     * its predecessor's applied seq when it said hello (everything the old tail acknowledged).
     * 0 when there is no barrier; {@code Long.MAX_VALUE} while that hello is awaited.
     */
    private long readBarrier;

    /**
     * The state of a replica set up in {@code pos}. Returns true if it is a head whose data
     * predates its process: it opens a new branch before it writes.
     *
     * @param restarted the partition's data is from before this process started
     * @param settling the chain is settling: a head waits for the metadata's order
     */
    boolean start(ChainPosition pos, boolean restarted, boolean settling) {
        if (restarted && pos.predecessor() != null) {
            recovering = true;
            recoverUntil = Long.MAX_VALUE;
        } else if (pos.member() && pos.predecessor() == null && settling) {
            settleWait = true;
        } else {
            return restarted && pos.member();
        }
        return false;
    }

    boolean recovering() {
        return recovering;
    }

    /** True while this head waits for its settling chain to be ordered: it takes no writes. */
    boolean settleWait() {
        return settleWait;
    }

    /** True while this head asks the metadata to settle its chain (see the field). */
    boolean settleAsked() {
        return settleAsked;
    }

    /** False while recovering or settling, and while a fresh tail waits behind its barrier. */
    boolean readable() {
        return readBarrier == 0 && mayFeed();
    }

    /** True if the replica may say hello to its successor (and so feed it). */
    boolean mayFeed() {
        return !recovering && !settleWait;
    }

    /**
     * Recovery ends once applied reached what the predecessor held and no copy is filling
     * holes. Returns true if it ended now.
     */
    boolean endIfDone(long applied, long commitHold) {
        if (!recovering || applied < recoverUntil || commitHold != 0) {
            return false;
        }
        recovering = false;
        return true;
    }

    void liftReadBarrier(long applied) {
        if (readBarrier != 0 && applied >= readBarrier) {
            readBarrier = 0;
        }
    }

    /**
     * The predecessor's hello said it holds {@code predecessorApplied} (-1 if it did not say):
     * the read barrier and the end of recovery are set by it.
     */
    void predecessorHeld(long predecessorApplied, long applied) {
        if (readBarrier != 0) {
            readBarrier = predecessorApplied;
            liftReadBarrier(applied);
        }
        if (recovering && predecessorApplied >= 0) {
            recoverUntil = predecessorApplied;
        }
    }

    /** The replica was cut back: it recovers from the copy its predecessor sends. */
    void cutBack() {
        recovering = true;
    }

    /**
     * A new map put the replica at {@code next} (chain repair rules of DESIGN.md). Returns true
     * if it became a new writer of its chain: it opens a branch of its own (see Lineage).
     */
    boolean positionChanged(ChainPosition old, ChainPosition next, boolean changed,
            boolean settling) {
        boolean newPredecessor = !Objects.equals(old.predecessor(), next.predecessor());
        boolean writer = next.member() && next.predecessor() == null;
        boolean branch = false;
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
            // A new writer of this chain (restarted, settled or promoted).
            recovering = false;
            settleWait = false;
            settleAsked = false;
            branch = true;
        } else if (settleWait) {
            // Settled behind a replica holding more: learn from it first.
            settleWait = false;
            settleAsked = false;
            recovering = true;
            recoverUntil = Long.MAX_VALUE;
        } else if (recovering && newPredecessor) {
            recoverUntil = Long.MAX_VALUE;      // the new predecessor's hello says
        }
        if (next.tail() && !old.member() && next.predecessor() != null) {
            // A joining replica made the tail: the old tail, now its predecessor, may have
            // acknowledged updates that have not reached us yet. Reads wait for its hello.
            readBarrier = Long.MAX_VALUE;
        } else if (readBarrier != 0 && changed) {
            readBarrier = next.predecessor() == null ? 0 : Long.MAX_VALUE;
        }
        return branch;
    }
}
