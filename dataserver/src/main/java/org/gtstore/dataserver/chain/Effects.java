package org.gtstore.dataserver.chain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetResponse;
import org.gtstore.proto.PutResponse;
import org.gtstore.proto.Update;

/**
 * The output being collected for the next {@link Ready}, plus the replica-wide facts a
 * {@link PartitionReplica} needs to act (self id, epoch, tick, dedup table). Package-private
 * glue between {@link ChainReplica}, {@link PeerProtocol} and the partitions.
 */
final class Effects {
    final String selfId;
    final Outbox outbox;
    final DedupTable dedup;
    long epoch;
    long tick;

    List<Update> writes = new ArrayList<>();
    Map<Integer, Long> appliedSeqs = new HashMap<>();
    List<ClientReply> replies = new ArrayList<>();
    List<CatchUpNeeded> catchUps = new ArrayList<>();
    long mapWantedEpoch;

    Effects(String selfId, ChainReplicaConfig config) {
        this.selfId = selfId;
        this.outbox = new Outbox(selfId, config.batchBytesMax());
        this.dedup = new DedupTable(config.dedupEntriesMax());
    }

    /** Records an applied update: stored, with its partition's new last applied seq. */
    void write(Update u) {
        writes.add(u);
        appliedSeqs.put(u.getPartition(), u.getSeq());
        dedup.record(u.getClientId(), u.getRequestId(), u.getPartition(), u.getSeq());
    }

    void wantMap(long epochSeen) {
        mapWantedEpoch = Math.max(mapWantedEpoch, epochSeen);
    }

    void putOk(long token, long version) {
        replies.add(new ClientReply.PutDone(token, PutResponse.newBuilder()
                .setCode(ErrorCode.OK).setEpoch(epoch).setServerId(selfId).setVersion(version)
                .build()));
    }

    void putError(long token, ErrorCode code, String message) {
        replies.add(new ClientReply.PutDone(token, PutResponse.newBuilder()
                .setCode(code).setEpoch(epoch).setServerId(selfId).setMessage(message).build()));
    }

    void getError(long token, ErrorCode code, String message) {
        replies.add(new ClientReply.GetDone(token, GetResponse.newBuilder()
                .setCode(code).setEpoch(epoch).setServerId(selfId).setMessage(message).build()));
    }

    boolean isEmpty() {
        return writes.isEmpty() && replies.isEmpty() && catchUps.isEmpty() && outbox.isEmpty()
                && mapWantedEpoch <= 0;
    }

    /** Moves everything collected into a Ready and starts afresh. */
    Ready drain(Set<String> successors, Ready.Roles roles) {
        Ready r = new Ready(writes, appliedSeqs, outbox.drain(), replies, mapWantedEpoch,
                successors, catchUps, roles);
        writes = new ArrayList<>();
        appliedSeqs = new HashMap<>();
        replies = new ArrayList<>();
        catchUps = new ArrayList<>();
        mapWantedEpoch = 0;
        return r;
    }
}
