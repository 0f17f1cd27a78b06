package org.gtstore.client;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The committed value of a key as the chain's tail answered it. A key that was never written (or
 * was deleted) has {@code found() == false} and an empty value.
 *
 * <p>The byte arrays are copied on the way in and on the way out, so a result never changes.
 *
 * @param key the key asked for
 * @param found whether the key has a value
 * @param value the value; empty when not found
 * @param serverId the tail that answered
 * @param version the partition sequence number of the write that produced the value
 * @param epoch the tail's map epoch when it answered
 * @param chain the key's chain, head first, tail last (as the client's map had it)
 * @param partition the key's partition
 */
public record GetResult(byte[] key, boolean found, byte[] value, String serverId, long version,
        long epoch, List<String> chain, int partition) {
    public GetResult {
        key = key.clone();
        value = value.clone();
        chain = List.copyOf(chain);
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    /** The key decoded as UTF-8. */
    public String keyUtf8() {
        return new String(key, StandardCharsets.UTF_8);
    }

    /** The value decoded as UTF-8 (empty when not found). */
    public String valueUtf8() {
        return new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GetResult g
                && found == g.found && version == g.version && epoch == g.epoch
                && partition == g.partition && Arrays.equals(key, g.key)
                && Arrays.equals(value, g.value) && serverId.equals(g.serverId)
                && chain.equals(g.chain);
    }

    @Override
    public int hashCode() {
        int h = Arrays.hashCode(key);
        h = 31 * h + Arrays.hashCode(value);
        h = 31 * h + serverId.hashCode();
        return 31 * h + Long.hashCode(version);
    }

    @Override
    public String toString() {
        return "GetResult[key=" + keyUtf8() + ", found=" + found + ", value=" + value.length
                + " bytes, serverId=" + serverId + ", version=" + version + ", epoch=" + epoch
                + ", chain=" + chain + ", partition=" + partition + "]";
    }
}
