package org.gtstore.dataserver.chain;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetResponse;
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
    long epoch;
    long tick;
    long nextCopyId = 1;

    List<Update> writes = new ArrayList<>();
    Map<Integer, Long> appliedSeqs = new HashMap<>();
    List<ClientReply> replies = new ArrayList<>();
    List<Integer> resets = new ArrayList<>();
    Map<Integer, Long> joinEpochs = new HashMap<>();
    Map<Integer, Long> commitHolds = new HashMap<>();
    List<DedupRecord> dedupAdded = new ArrayList<>();
    /** {@link CopyCommand}s and copies to start ({@link OutgoingCopy}), in emission order. */
    List<Object> copyCommands = new ArrayList<>();
    List<CaughtUpReport> caughtUp = new ArrayList<>();
    long mapWantedEpoch;

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
    Ready drain(Ready.Roles roles, java.util.Set<String> successors,
            List<CopyCommand> copies) {
        boolean storeWork = !writes.isEmpty() || !appliedSeqs.isEmpty() || !resets.isEmpty()
                || !joinEpochs.isEmpty() || !commitHolds.isEmpty() || !dedupAdded.isEmpty();
        long journal = storeWork ? dedup.journal() : 0;
        long keepFrom = storeWork ? dedup.keepFrom() : 0;
        if (storeWork) {
            dedup.nextJournal();
        }
        Ready r = new Ready(writes, appliedSeqs, outbox.drain(), replies, mapWantedEpoch,
                successors, roles, resets, joinEpochs, commitHolds, dedupAdded, journal,
                keepFrom, copies, caughtUp);
        writes = new ArrayList<>();
        appliedSeqs = new HashMap<>();
        replies = new ArrayList<>();
        resets = new ArrayList<>();
        joinEpochs = new HashMap<>();
        commitHolds = new HashMap<>();
        dedupAdded = new ArrayList<>();
        copyCommands = new ArrayList<>();
        caughtUp = new ArrayList<>();
        mapWantedEpoch = 0;
        return r;
    }
}
