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
import org.gtstore.proto.Update;

/**
 * The output being collected for the next {@link Ready}, plus the replica-wide facts a
 * {@link PartitionReplica} needs to act (self id, config, epoch, tick, dedup table).
 * Package-private glue between {@link ChainReplica}, {@link PeerProtocol} and the partitions.
 */
final class Effects {
    final String selfId;
    final ChainReplicaConfig config;
    final Outbox outbox;
    final DedupTable dedup;
    /** Bytes of updates every partition keeps for its successor (see {@link Retained}). */
    long retainedBytes;
    long epoch;
    long tick;
    long nextCopyId = 1;

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
    /** Every server's incarnation in the current map (a caught-up report names its peer's). */
    Map<String, Long> incarnations = Map.of();
    List<PartitionTip> tips = new ArrayList<>();
    long mapWantedEpoch;
    /**
     * Partitions whose successors are said hello at the end of the step: they ended their
     * recovery, or took a new history (the successor must hear it before any update written
     * on it). Not part of the Ready.
     */
    final Set<Integer> helloDue = new LinkedHashSet<>();

    /** @param lastJournal the store's last journal record: Readies number theirs from the next */
    Effects(String selfId, ChainReplicaConfig config, long lastJournal) {
        this.selfId = selfId;
        this.config = config;
        this.outbox = new Outbox(selfId, config.batchBytesMax());
        this.dedup = new DedupTable(config.dedupEntriesMax(), lastJournal + 1);
    }

    /** Records an applied update: stored, with its partition's new last applied seq. */
    void write(Update u) {
        writes.add(u);
        appliedSeqs.put(u.getPartition(), u.getSeq());
        dedup.record(u.getClientId(), u.getRequestId(), u.getPartition(), u.getSeq(),
                u.getKey());
    }

    /** Records a copied entry: stored if newer than what the store holds; seqs unchanged. */
    void writeCopied(Update u) {
        writes.add(u.getCopied() ? u : u.toBuilder().setCopied(true).build());
    }

    /** Records a dedup entry received with a copy: remembered and stored. */
    void addDedup(DedupRecord d) {
        dedup.record(d.clientId(), d.requestId(), d.partition(), d.seq(), d.key());
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
        dedup.removePartitions(Set.of(partition));
    }

    void wantMap(long epochSeen) {
        mapWantedEpoch = Math.max(mapWantedEpoch, epochSeen);
    }

    void putOk(Object replyTo, long version) {
        replies.add(new ClientReply.PutDone(replyTo, PutResponse.newBuilder()
                .setCode(ErrorCode.OK).setEpoch(epoch).setServerId(selfId).setVersion(version)
                .build()));
    }

    void putError(Object replyTo, ErrorCode code, String message) {
        replies.add(new ClientReply.PutDone(replyTo, PutResponse.newBuilder()
                .setCode(code).setEpoch(epoch).setServerId(selfId).setMessage(message).build()));
    }

    /** At the tail: the update is committed; its client hears so from here. */
    void committed(Update u) {
        committed(u.getClientIdBytes(), u.getRequestId(), u.getPartition(), u.getSeq());
    }

    /** At the tail: request {@code requestId} of the client committed with {@code seq}. */
    void committed(ByteString clientId, long requestId, int partition, long seq) {
        if (!clientId.isEmpty()) {
            replies.add(new ClientReply.Committed(clientId, requestId, partition, seq, epoch));
        }
    }

    void getError(Object replyTo, ErrorCode code, String message) {
        replies.add(new ClientReply.GetDone(replyTo, GetResponse.newBuilder()
                .setCode(code).setEpoch(epoch).setServerId(selfId).setMessage(message).build()));
    }

    /** Moves everything collected into a Ready and starts afresh. */
    Ready drain(Ready.Roles roles, Set<String> successors,
            List<CopyCommand> copies) {
        boolean storeWork = !writes.isEmpty() || !appliedSeqs.isEmpty() || !resets.isEmpty()
                || !joinEpochs.isEmpty() || !commitHolds.isEmpty() || !dedupAdded.isEmpty()
                || !lineages.isEmpty();
        long journal = storeWork ? dedup.journal() : 0;
        long keepFrom = storeWork ? dedup.keepFrom() : 0;
        if (storeWork) {
            dedup.nextJournal();
        }
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
