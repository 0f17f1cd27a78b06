package org.gtstore.dataserver.server;

import com.google.protobuf.ByteString;
import org.gtstore.dataserver.chain.ChainEvent;
import org.gtstore.dataserver.chain.ClientReply;
import org.gtstore.dataserver.storage.StoredValue;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetResponse;

/**
 * The answers the driver makes from its store for what the replica let the store answer: a get
 * at the tail and the latest write of a key for a condition check at the head. Pure functions
 * of the stored value and the clock, shared with the chain tests' harness.
 */
public final class LocalReads {
    private LocalReads() {
    }

    /**
     * The store's answer to a condition check, given the stored value (null if none) read at
     * wall clock {@code nowMs}.
     */
    public static ChainEvent.ConditionRead conditionAnswer(ClientReply.ConditionRead check,
            StoredValue v, long nowMs) {
        return v == null
                ? new ChainEvent.ConditionRead(check.partition(), check.key(), check.checkId(),
                        0, false, ByteString.EMPTY, 0, nowMs)
                : new ChainEvent.ConditionRead(check.partition(), check.key(), check.checkId(),
                        v.version(), !v.tombstone(), v.tombstone() ? ByteString.EMPTY : v.value(),
                        v.expiresAtMs(), nowMs);
    }

    /**
     * The answer to a get the replica let the store answer, given the stored value: a value
     * that expired at {@code nowMs} is not found (version 0, as for a key without a value).
     */
    public static GetResponse localAnswer(ClientReply.LocalRead read, StoredValue v,
            String selfId, long nowMs) {
        GetResponse.Builder b = GetResponse.newBuilder().setEpoch(read.epoch())
                .setServerId(selfId);
        if (v != null && v.version() > read.committedSeq()) {
            return b.setCode(ErrorCode.UNAVAILABLE).setMessage("partition " + read.partition()
                    + " on " + selfId + ": the latest write of this key (seq " + v.version()
                    + ") is not committed yet; retry").build();
        }
        if (v == null || v.tombstone()) {
            return b.setCode(ErrorCode.NOT_FOUND).setVersion(v == null ? 0 : v.version()).build();
        }
        if (!v.liveAt(nowMs)) {
            return b.setCode(ErrorCode.NOT_FOUND).build();
        }
        return b.setCode(ErrorCode.OK).setValue(v.value()).setVersion(v.version()).build();
    }
}
