package org.gtstore.client;

import com.google.protobuf.ByteString;
import java.util.List;
import java.util.Objects;

/**
 * The committed value of a key as the chain's tail answered it. A key that was never written (or
 * was deleted) has {@code found() == false} and an empty value.
 *
 * <p>A result never changes: it holds the key and value as immutable byte strings, so the
 * client builds it from the request and the answer without copying either, and
 * {@link #key()}/{@link #value()} hand out a fresh copy. Not a record for that reason: a
 * record would copy the arrays on the way in as well (twice per get on the hot path).
 */
public final class GetResult {
    private final ByteString key;
    private final boolean found;
    private final ByteString value;
    private final String serverId;
    private final long version;
    private final long epoch;
    private final List<String> chain;
    private final int partition;

    /**
     * @param key the key asked for
     * @param found whether the key has a value
     * @param value the value; empty when not found
     * @param serverId the tail that answered
     * @param version the partition sequence number of the write that produced the value
     * @param epoch the tail's map epoch when it answered
     * @param chain the key's chain, head first, tail last (as the client's map had it)
     * @param partition the key's partition
     */
    public GetResult(byte[] key, boolean found, byte[] value, String serverId, long version,
            long epoch, List<String> chain, int partition) {
        this(ByteString.copyFrom(key), found, ByteString.copyFrom(value), serverId, version,
                epoch, chain, partition);
    }

    /** A result over immutable byte strings, kept as they are (no copy). */
    GetResult(ByteString key, boolean found, ByteString value, String serverId,
            long version, long epoch, List<String> chain, int partition) {
        this.key = Objects.requireNonNull(key, "key == null");
        this.found = found;
        this.value = Objects.requireNonNull(value, "value == null");
        this.serverId = Objects.requireNonNull(serverId, "serverId == null");
        this.version = version;
        this.epoch = epoch;
        this.chain = List.copyOf(chain);
        this.partition = partition;
    }

    /** The key asked for (a copy). */
    public byte[] key() {
        return key.toByteArray();
    }

    /** Whether the key has a value. */
    public boolean found() {
        return found;
    }

    /** The value (a copy); empty when not found. */
    public byte[] value() {
        return value.toByteArray();
    }

    /** The tail that answered. */
    public String serverId() {
        return serverId;
    }

    /** The partition sequence number of the write that produced the value. */
    public long version() {
        return version;
    }

    /** The tail's map epoch when it answered. */
    public long epoch() {
        return epoch;
    }

    /** The key's chain, head first, tail last (as the client's map had it). */
    public List<String> chain() {
        return chain;
    }

    /** The key's partition. */
    public int partition() {
        return partition;
    }

    /** The key decoded as UTF-8. */
    public String keyUtf8() {
        return key.toStringUtf8();
    }

    /** The value decoded as UTF-8 (empty when not found). */
    public String valueUtf8() {
        return value.toStringUtf8();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GetResult g
                && found == g.found && version == g.version && epoch == g.epoch
                && partition == g.partition && key.equals(g.key) && value.equals(g.value)
                && serverId.equals(g.serverId) && chain.equals(g.chain);
    }

    @Override
    public int hashCode() {
        int h = key.hashCode();
        h = 31 * h + value.hashCode();
        h = 31 * h + serverId.hashCode();
        return 31 * h + Long.hashCode(version);
    }

    @Override
    public String toString() {
        return "GetResult[key=" + keyUtf8() + ", found=" + found + ", value=" + value.size()
                + " bytes, serverId=" + serverId + ", version=" + version + ", epoch=" + epoch
                + ", chain=" + chain + ", partition=" + partition + "]";
    }
}
