package org.gtstore.dataserver.chain;

import com.google.protobuf.ByteString;
import java.util.List;
import org.gtstore.proto.ChainMessage;
import org.gtstore.proto.DedupEntry;
import org.gtstore.proto.GetRequest;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.ScanRequest;
import org.gtstore.proto.Update;

/**
 * Everything that can happen to a {@link ChainReplica}. The replica learns about the world only
 * through these events (and {@link ChainReplica#tick()}); it never reads a clock, a socket or
 * a disk, so a test can replay any interleaving.
 */
public sealed interface ChainEvent {

    /**
     * A client put or delete. {@code replyTo} names the caller's reply channel; the replica
     * hands it back in a {@link ClientReply} and never interprets it. A put the head accepts is
     * answered by the tail ({@link ClientReply.Committed}), so {@code replyTo} then gets nothing.
     * {@code nowMs} is the wall clock when it arrived (ms since the epoch): its TTL counts from
     * then, and its condition is judged at that moment.
     */
    record ClientPut(PutRequest request, Object replyTo, long nowMs) implements ChainEvent {
    }

    /** A client get, answered either by a {@link ClientReply.LocalRead} or an error reply. */
    record ClientGet(GetRequest request, Object replyTo) implements ChainEvent {
    }

    /** A client scan page, answered by a {@link ClientReply.LocalScan} or an error reply. */
    record ClientScan(ScanRequest request, Object replyTo) implements ChainEvent {
    }

    /** The metadata published a map. Maps not newer than the current one are ignored. */
    record MapChanged(PartitionMap map) implements ChainEvent {
    }

    /** A chain message from a neighbour, with the kind of stream it arrived on. */
    record PeerMessage(ChainMessage message, StreamKind arrivedOn) implements ChainEvent {
    }

    /**
     * The transport (re)opened the outbound stream to a successor after a failure; whatever was
     * sent before may be lost, so the replica says hello again.
     */
    record PeerConnected(String peer) implements ChainEvent {
    }

    /** The outbound stream to a successor broke; forwarding to it pauses until the next hello. */
    record PeerDisconnected(String peer) implements ChainEvent {
    }

    /**
     * The driver's verdict on the metadata lease. Without a valid lease the replica answers
     * {@code UNAVAILABLE} to every read and write, so a zombie never serves stale data.
     * {@code stopping}: the lease ended because this server stops gracefully; then the refusals
     * say {@code STALE_EPOCH} with the next map epoch (the one without this server, which the
     * metadata makes next), so clients wait for that map instead of backing off.
     */
    record LeaseChanged(boolean valid, boolean stopping) implements ChainEvent {
        public LeaseChanged(boolean valid) {
            this(valid, false);
        }
    }

    /**
     * The copier read the next chunk of copy {@code copyId} (started by a
     * {@link CopyCommand.Start}): {@code entries} are the keys' latest values with their
     * versions ({@code copied} set); {@code copiedKeys} counts the keys read so far, of
     * {@code totalKeys}. The last chunk carries the snapshot's dedup entries.
     */
    record CopyChunkRead(long copyId, int partition, List<Update> entries, boolean last,
            long copiedKeys, long totalKeys, List<DedupEntry> dedup) implements ChainEvent {
    }

    /**
     * The store's answer to a {@link ClientReply.ConditionRead}: the seq of the key's latest
     * write ({@code version}, 0 if none), whether that write is a value ({@code live}; false for
     * a delete or none), the value, when it expires ({@code expiresAtMs}, 0: never) and the
     * wall clock when the store was read ({@code nowMs}): the conditions waiting on it are
     * decided at that moment.
     */
    record ConditionRead(int partition, ByteString key, long checkId, long version,
            boolean live, ByteString value, long expiresAtMs, long nowMs) implements ChainEvent {
    }

    /**
     * The expiry sweep found these writes expired at {@code nowMs} and still the latest of
     * their keys in the store: the head of each partition deletes them through the chain
     * (unless the key was written again meanwhile); other replicas ignore them.
     */
    record ExpiriesDue(List<ExpiredWrite> writes, long nowMs) implements ChainEvent {
    }

    /** A write that expired: the key's version {@code version} in {@code partition}. */
    record ExpiredWrite(int partition, ByteString key, long version) {
    }

    /** The driver persisted the writes of the last {@link Ready} and may ask for the next one. */
    record PersistDone() implements ChainEvent {
    }
}
