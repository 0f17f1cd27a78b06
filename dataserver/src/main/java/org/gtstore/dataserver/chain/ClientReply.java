package org.gtstore.dataserver.chain;

import com.google.protobuf.ByteString;
import org.gtstore.proto.GetResponse;
import org.gtstore.proto.PutResponse;
import org.gtstore.proto.ScanRequest;
import org.gtstore.proto.ScanResponse;

/**
 * What the replica tells the driver to send to a client. {@code replyTo} is the handle the
 * driver gave with the request ({@link ChainEvent.ClientPut}, {@link ChainEvent.ClientGet});
 * the replica never looks inside it.
 */
public sealed interface ClientReply {

    /** The head's answer to a put: an error, or OK for a retry of a write already applied. */
    record PutDone(Object replyTo, PutResponse response) implements ClientReply {
    }

    /** Complete a get with this (error) response. */
    record GetDone(Object replyTo, GetResponse response) implements ClientReply {
    }

    /**
     * Answer a get from the local store, after this Ready's writes are persisted. The replica
     * emits it only at the tail, where what is applied is committed, except while the tail
     * waits for a joining replica or a copy: a value with a version after
     * {@code committedSeq} is not committed yet, and the read is refused rather than answered
     * with it (the store keeps no older value).
     */
    record LocalRead(Object replyTo, int partition, ByteString key, long epoch,
            long committedSeq) implements ClientReply {
    }

    /**
     * Answer a scan page from the local store at the tail, after this Ready's writes: as
     * {@link LocalRead}, an entry (a deleted one too) with a version after
     * {@code committedSeq} is not committed yet and the page is refused.
     */
    record LocalScan(Object replyTo, ScanRequest request, long epoch, long committedSeq)
            implements ClientReply {
    }

    /** Complete a scan with this (error) response. */
    record ScanDone(Object replyTo, ScanResponse response) implements ClientReply {
    }

    /**
     * At the head: read the key's latest stored value, after this Ready's writes, and step a
     * {@link ChainEvent.ConditionRead} with it. Conditional puts of the key (and every put of
     * it behind them) wait for that answer, so it is the key's latest version in seq order.
     */
    record ConditionRead(int partition, ByteString key, long checkId) implements ClientReply {
    }

    /**
     * At the tail: the write of request {@code requestId} of client {@code clientId} committed
     * with {@code version}; tell that client on its session with this server, if it has one
     * (the chain replication paper's rule: the tail answers). Not tied to a request handle: the
     * put entered at the head.
     */
    record Committed(ByteString clientId, long requestId, int partition, long version,
            long epoch) implements ClientReply {
    }
}
