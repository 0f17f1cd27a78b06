package org.gtstore.dataserver.chain;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetResponse;
import org.gtstore.proto.PartitionTip;
import org.gtstore.proto.PutResponse;
import org.gtstore.proto.ScanResponse;
import org.gtstore.proto.Update;

/**
 * The output of the steps since the last {@link Ready}: what to store, send and answer. Nothing
 * reads its own output back to decide: the facts a step acts on are in {@link ReplicaContext},
 * of which this reads only the epoch and the server's id, to stamp the replies.
 * Package-private glue between {@link ChainReplica}, {@link PeerProtocol} and the partitions.
 */
final class Effects {
    final Outbox outbox;
    private final ReplicaContext ctx;

    List<Update> writes = new ArrayList<>();
    Map<Integer, Long> appliedSeqs = new HashMap<>();
    List<ClientReply> replies = new ArrayList<>();
    List<Integer> resets = new ArrayList<>();
    Map<Integer, Long> joinEpochs = new HashMap<>();
    Map<Integer, Long> commitHolds = new HashMap<>();
    Map<Integer, Lineage> lineages = new HashMap<>();
    List<DedupRecord> dedupAdded = new ArrayList<>();
    /** {@link CopyCommand}s and copies to start ({@link OutgoingCopy}), in emission order. */
    List<Object> copyCommands = new ArrayList<>();
    List<CaughtUpReport> caughtUp = new ArrayList<>();
    List<PartitionTip> tips = new ArrayList<>();
    long mapWantedEpoch;
    /**
     * Partitions whose successors are said hello at the end of the step: they ended their
     * recovery, or took a new history (the successor must hear it before any update written
     * on it). Not part of the Ready.
     */
    final Set<Integer> helloDue = new LinkedHashSet<>();

    Effects(ReplicaContext ctx) {
        this.ctx = ctx;
        this.outbox = new Outbox(ctx.selfId, ctx.config.batchBytesMax());
    }

    /** Records an applied update: stored, with its partition's new last applied seq. */
    void write(Update u) {
        writes.add(u);
        appliedSeqs.put(u.getPartition(), u.getSeq());
    }

    /** Records a copied entry: stored if newer than what the store holds; seqs unchanged. */
    void writeCopied(Update u) {
        writes.add(u.getCopied() ? u : u.toBuilder().setCopied(true).build());
    }

    /** Records a dedup entry received with a copy: stored. */
    void addDedup(DedupRecord d) {
        dedupAdded.add(d);
    }

    /**
     * The partition's stored data (values, dedup entries, applied seq) is discarded by the
     * next store batch, before its writes; what this Ready had collected for it goes too.
     */
    void reset(int partition) {
        writes.removeIf(u -> u.getPartition() == partition);
        appliedSeqs.remove(partition);
        dedupAdded.removeIf(d -> d.partition() == partition);
        commitHolds.remove(partition);
        joinEpochs.remove(partition);
        lineages.remove(partition);
        if (!resets.contains(partition)) {
            resets.add(partition);
        }
    }

    void wantMap(long epochSeen) {
        mapWantedEpoch = Math.max(mapWantedEpoch, epochSeen);
    }

    /** An answer to a put; {@code replyTo} null (the head's own expiry delete) gets none. */
    void putOk(Object replyTo, long version) {
        if (replyTo == null) {
            return;
        }
        replies.add(new ClientReply.PutDone(replyTo, PutResponse.newBuilder()
                .setCode(ErrorCode.OK).setEpoch(ctx.epoch).setServerId(ctx.selfId)
                .setVersion(version).build()));
    }

    /** A conditional put's condition failed: the key's current (committed) version and value. */
    void putConflict(Object replyTo, long version, ByteString value) {
        if (replyTo == null) {
            return;
        }
        replies.add(new ClientReply.PutDone(replyTo, conflict(version, value)));
    }

    PutResponse conflict(long version, ByteString value) {
        return PutResponse.newBuilder().setCode(ErrorCode.CONFLICT).setEpoch(ctx.epoch)
                .setServerId(ctx.selfId).setVersion(version).setValue(value)
                .setMessage("the key's version is " + version).build();
    }

    void putError(Object replyTo, ErrorCode code, String message) {
        putError(replyTo, code, message, -1);
    }

    /** A refusal naming map epoch {@code epoch} (-1: this replica's). */
    void putError(Object replyTo, ErrorCode code, String message, long epoch) {
        if (replyTo == null) {
            return;
        }
        replies.add(new ClientReply.PutDone(replyTo, PutResponse.newBuilder()
                .setCode(code).setEpoch(epoch < 0 ? ctx.epoch : epoch).setServerId(ctx.selfId)
                .setMessage(message).build()));
    }

    /** At the tail: the update is committed; its client hears so from here. */
    void committed(Update u) {
        committed(u.getClientIdBytes(), u.getRequestId(), u.getPartition(), u.getSeq());
    }

    /** At the tail: request {@code requestId} of the client committed with {@code seq}. */
    void committed(ByteString clientId, long requestId, int partition, long seq) {
        if (!clientId.isEmpty()) {
            replies.add(new ClientReply.Committed(clientId, requestId, partition, seq,
                    ctx.epoch));
        }
    }

    void scanError(Object replyTo, ErrorCode code, String message) {
        scanError(replyTo, code, message, -1);
    }

    /** A refusal naming map epoch {@code epoch} (-1: this replica's). */
    void scanError(Object replyTo, ErrorCode code, String message, long epoch) {
        replies.add(new ClientReply.ScanDone(replyTo, ScanResponse.newBuilder().setCode(code)
                .setEpoch(epoch < 0 ? ctx.epoch : epoch).setServerId(ctx.selfId)
                .setMessage(message).build()));
    }

    void getError(Object replyTo, ErrorCode code, String message) {
        getError(replyTo, code, message, -1);
    }

    /** A refusal naming map epoch {@code epoch} (-1: this replica's). */
    void getError(Object replyTo, ErrorCode code, String message, long epoch) {
        replies.add(new ClientReply.GetDone(replyTo, GetResponse.newBuilder()
                .setCode(code).setEpoch(epoch < 0 ? ctx.epoch : epoch).setServerId(ctx.selfId)
                .setMessage(message).build()));
    }

    /** True if the next Ready has anything for the store (it then takes a journal record). */
    boolean storeWork() {
        return !writes.isEmpty() || !appliedSeqs.isEmpty() || !resets.isEmpty()
                || !joinEpochs.isEmpty() || !commitHolds.isEmpty() || !dedupAdded.isEmpty()
                || !lineages.isEmpty();
    }

    /**
     * Moves everything collected into a Ready and starts afresh.
     *
     * @param journal the Ready's journal record, 0 if it has no store work
     * @param keepFrom the oldest journal record whose dedup entries the store keeps
     */
    Ready drain(Ready.Roles roles, Set<String> successors, List<CopyCommand> copies,
            long journal, long keepFrom) {
        Map<Integer, byte[]> storedLineages = Map.of();
        if (!lineages.isEmpty()) {
            storedLineages = new HashMap<>();
            for (Map.Entry<Integer, Lineage> e : lineages.entrySet()) {
                storedLineages.put(e.getKey(), e.getValue().toBytes(e.getKey()));
            }
        }
        Ready r = new Ready(writes, appliedSeqs, outbox.drain(), replies, mapWantedEpoch,
                successors, roles, resets, joinEpochs, commitHolds, storedLineages, dedupAdded,
                journal, keepFrom, copies, caughtUp, tips);
        writes = new ArrayList<>();
        appliedSeqs = new HashMap<>();
        replies = new ArrayList<>();
        resets = new ArrayList<>();
        joinEpochs = new HashMap<>();
        commitHolds = new HashMap<>();
        lineages = new HashMap<>();
        dedupAdded = new ArrayList<>();
        copyCommands = new ArrayList<>();
        caughtUp = new ArrayList<>();
        tips = new ArrayList<>();
        mapWantedEpoch = 0;
        return r;
    }
}
