package org.gtstore.dataserver.chain;

import org.gtstore.proto.ChainMessage;
import org.gtstore.proto.CopyAck;
import org.gtstore.proto.CopyChunk;
import org.gtstore.proto.DedupEntry;
import org.gtstore.proto.Update;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving side of a state transfer into one partition's replica: which copy is coming and
 * the chunk expected next, the commit hold the copy sets, and storing a chunk's entries and the
 * requests that wrote them. What a copy means for the chain state (the applied seq, commits,
 * recovery) is decided by the replica ({@link PartitionReplica}).
 */
final class IncomingCopy {
    private static final Logger LOG = LoggerFactory.getLogger(IncomingCopy.class);

    private final int partition;
    private final ReplicaContext ctx;
    private long copyId = -1;
    private int next;
    /**
     * After a copy in version order started (snapshot seq S), the keys overwritten after our
     * applied seq are current only once applied reaches S: until then a tail acknowledges
     * nothing, so no acknowledged write is read older than it was. Stored while it lasts: a
     * restart in the middle of the copy must not take the partial state for committed (a retry
     * of a write the copy skipped would be acknowledged by its dedup entry at the head while
     * this tail reads the key older). On a joining replica, whose copy comes in key order, it
     * is how far the keys written so far may reach past applied: a predecessor whose history
     * lacks that seq (a power cut took it) cuts this replica back, or keys the chain lost would
     * stay here. 0 when there is no hold.
     */
    private long commitHold;
    /**
     * The dedup table's horizon for this partition before a copy in version order began (the
     * receiver's own memory of the requests below the copy's from-version).
     */
    private long dedupHorizonBefore = Long.MIN_VALUE;

    /**
     * @param storedCommitHold the commit hold stored when this server stopped, or 0
     * @param storedApplied the partition's applied seq as stored
     */
    IncomingCopy(int partition, long storedCommitHold, long storedApplied, ReplicaContext ctx) {
        this.partition = partition;
        this.ctx = ctx;
        this.commitHold = storedCommitHold > storedApplied ? storedCommitHold : 0;
    }

    /** The seq below which a copy is still filling holes, or 0. */
    long commitHold() {
        return commitHold;
    }

    /** Chunk 0 of a copy: it replaces any copy under way, and holds commits up to its seq. */
    void begin(CopyChunk c, Effects fx) {
        if (copyId == -1) {
            dedupHorizonBefore = c.getInVersionOrder() ? ctx.dedup.copiedInAt(partition)
                    : Long.MIN_VALUE;
        }
        copyId = c.getCopyId();
        next = 0;
        // In key order keys come newest version first, not in seq order: until the last chunk
        // what we hold may reach the snapshot seq, and a hello must check that. In version
        // order keys overwritten after our applied seq are current only at the snapshot seq.
        commitHold = Math.max(commitHold, c.getSnapshotSeq());
        fx.commitHolds.put(partition, commitHold);
    }

    /** True if {@code c} is the chunk expected next of the copy under way; it is counted. */
    boolean take(CopyChunk c) {
        if (c.getCopyId() != copyId || c.getIndex() != next) {
            LOG.debug("[{} p={} epoch={}] refusing chunk {} of copy {} (expecting {} of {})",
                    ctx.selfId, partition, ctx.epoch, c.getIndex(), c.getCopyId(), next, copyId);
            return false;
        }
        next++;
        return true;
    }

    /**
     * Stores a taken chunk's entries and the requests that wrote them. Returns the applied seq
     * after it: in version order each entry is applied, in key order none is.
     */
    long store(CopyChunk c, long applied, Effects fx) {
        ctx.dedup.copiedIn(partition);
        for (Update u : c.getEntriesList()) {
            if (!c.getInVersionOrder()) {
                fx.writeCopied(u);
            } else if (u.getSeq() > applied) {
                applied = u.getSeq();
                PartitionReplica.store(u.toBuilder().setCopied(false).build(), partition, ctx,
                        fx);
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
        return applied;
    }

    /** Tells the sender that chunk {@code c} is stored, so it reads another. */
    void acknowledge(CopyChunk c, String sender, long chainEpoch, Effects fx) {
        fx.outbox.control(sender, StreamKind.INBOUND, ChainMessage.newBuilder().setEpoch(ctx.epoch)
                .setCopyAck(CopyAck.newBuilder().setPartition(partition)
                        .setChainEpoch(chainEpoch).setCopyId(c.getCopyId())
                        .setIndex(c.getIndex())));
    }

    /**
     * The last chunk {@code c} is stored: the copy is whole. Its chunks brought every request
     * the sender remembered of the partition up to the snapshot, so the dedup table remembers
     * as far back as the sender did; after a copy in version order, which covers only the
     * versions after ours, no further back than it did before the copy.
     */
    void complete(CopyChunk c) {
        copyId = -1;
        ctx.dedup.copyCompleted(partition, c.getDedupMemoryMs(), dedupHorizonBefore,
                ctx.config.tickMs());
    }

    /** The copy under way was abandoned: no chunk is taken. */
    void end() {
        copyId = -1;
    }

    /** Applied reached the hold: the state is whole again, here and in the store. */
    void lift(long applied, Effects fx) {
        if (commitHold != 0 && applied >= commitHold) {
            release(fx);
        }
    }

    /** Nobody can bring more (no predecessor): what the replica holds is all there is. */
    void release(Effects fx) {
        if (commitHold != 0) {
            commitHold = 0;
            fx.commitHolds.put(partition, 0L);
        }
    }

    /** The partition was discarded (its stored hold with it): no copy, no hold. */
    void discard() {
        copyId = -1;
        commitHold = 0;
    }
}
