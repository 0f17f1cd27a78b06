package org.gtstore.client;

import java.util.List;

/**
 * The outcome of a put or delete acknowledged by the whole chain.
 *
 * @param serverId the chain head that accepted the write
 * @param version the partition sequence number the head gave the write
 * @param epoch the head's map epoch when it answered
 * @param chain the chain the write went through, head first, tail last (as the client's map had it)
 * @param partition the key's partition
 */
public record PutResult(String serverId, long version, long epoch, List<String> chain,
        int partition) {
    public PutResult {
        chain = List.copyOf(chain);
    }
}
