package org.gtstore.dataserver.chain;

import com.google.protobuf.ByteString;
import org.gtstore.proto.GetResponse;
import org.gtstore.proto.PutResponse;

/** What the replica tells the driver to do with one client request. */
public sealed interface ClientReply {

    /** The reply token of {@link ChainEvent.ClientPut} or {@link ChainEvent.ClientGet}. */
    long token();

    /** Complete a put with this response. */
    record PutDone(long token, PutResponse response) implements ClientReply {
    }

    /** Complete a get with this (error) response. */
    record GetDone(long token, GetResponse response) implements ClientReply {
    }

    /**
     * Answer a get from the local store, after this Ready's writes are persisted. The replica
     * emits it only at the tail, where everything applied is committed, so the store holds
     * exactly the committed state.
     */
    record LocalRead(long token, int partition, ByteString key, long epoch) implements ClientReply {
    }
}
