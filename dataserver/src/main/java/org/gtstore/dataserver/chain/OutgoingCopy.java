package org.gtstore.dataserver.chain;

import org.gtstore.proto.ChainMessage;
import org.gtstore.proto.CopyChunk;

/**
 * The sender's side of one state transfer to a successor (package-private state of a
 * {@link PartitionReplica}).
 *
 * <p>Life: created when a hello reply shows the successor is behind what this replica holds in
 * memory; started (snapshot taken at {@code snapshotSeq}) when the Ready that created it is
 * drained; each chunk the copier reads is sent, and each chunk the receiver acknowledges lets the
 * copier read one more; done when the last chunk is sent, after which the updates after
 * {@code snapshotSeq} follow from memory. Cancelled by anything that re-syncs the successor
 * (a broken stream, a rejection, a chain change) or by a stall.
 */
final class OutgoingCopy {
    final long id;
    final int partition;
    final String peer;
    final long fromVersion;
    /** The successor is a member: entries go in ascending version (see CopyChunk). */
    final boolean versionOrder;
    long snapshotSeq = -1;
    /**
     * How far back this replica's memory of the partition's requests reached when the
     * snapshot was taken (ms, or {@link DedupTable#REMEMBERS_ALL}); the receiver of the whole
     * copy remembers as far back.
     */
    long dedupMemoryMs = DedupTable.REMEMBERS_ALL;
    boolean started;
    boolean cancelled;
    int chunksSent;
    long copiedKeys;
    long totalKeys;
    long lastActivityTick;

    OutgoingCopy(long id, int partition, String peer, long fromVersion, boolean versionOrder,
            long tick) {
        this.id = id;
        this.versionOrder = versionOrder;
        this.partition = partition;
        this.peer = peer;
        this.fromVersion = fromVersion;
        this.lastActivityTick = tick;
    }

    /**
     * The Ready that created it is drained: the snapshot is taken at {@code applied}, holding
     * what the dedup table remembers now, {@code dedupMemoryMs} back.
     */
    CopyCommand.Start start(long applied, int credits, long dedupMemoryMs) {
        started = true;
        snapshotSeq = applied;
        this.dedupMemoryMs = dedupMemoryMs;
        return new CopyCommand.Start(id, partition, peer, fromVersion, snapshotSeq, credits,
                versionOrder);
    }

    /** Sends a chunk the copier read, stamped with the partition's current chain epoch. */
    void send(ChainEvent.CopyChunkRead e, long chainEpoch, ReplicaContext ctx, Effects fx) {
        CopyChunk.Builder chunk = CopyChunk.newBuilder().setPartition(partition)
                .setChainEpoch(chainEpoch)
                .setCopyId(id).setIndex(chunksSent++).addAllEntries(e.entries())
                .setLast(e.last()).setSnapshotSeq(snapshotSeq).addAllDedup(e.dedup())
                .setInVersionOrder(versionOrder).setDedupMemoryMs(dedupMemoryMs);
        fx.outbox.control(peer, StreamKind.OUTBOUND, ChainMessage.newBuilder()
                .setEpoch(ctx.epoch).setCopy(chunk));
        copiedKeys = e.copiedKeys();
        totalKeys = e.totalKeys();
        lastActivityTick = ctx.tick;
    }

    /** Cancels the copy; the copier is told only if it was started. */
    void cancel(Effects fx) {
        if (cancelled) {
            return;
        }
        cancelled = true;
        if (started) {
            fx.copyCommands.add(new CopyCommand.Cancel(id));
        }
    }

    @Override
    public String toString() {
        return "copy " + id + " of partition " + partition + " to " + peer + " (versions after "
                + fromVersion + ", snapshot seq " + snapshotSeq + ", " + copiedKeys + "/"
                + totalKeys + " keys)";
    }
}
