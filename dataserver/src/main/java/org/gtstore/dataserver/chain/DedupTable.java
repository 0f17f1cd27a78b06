package org.gtstore.dataserver.chain;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Remembers the sequence number each recent (client id, request id) was applied with, so the
 * head answers a retried put with the original version instead of applying it twice.
 *
 * <p>Every replica records the updates it applies, not only the head: when the head dies, its
 * successor becomes head already knowing every request that reached it. The table is bounded
 * (least recently applied first out). It is persisted with the data: the store writes an entry
 * for every update that carries a client id, in the same batch, and deletes the entries this
 * table evicts ({@link #drainEvicted()}); a restarted server loads them back, so a retry that
 * reaches a restarted head is still recognised. A client retries within its deadline, seconds,
 * far less than the table holds at full load.
 */
final class DedupTable {
    /** A client request's identity. */
    record RequestId(String clientId, long requestId) {
    }

    /** Where the request was applied. */
    record Applied(int partition, long seq) {
    }

    private final LinkedHashMap<RequestId, Applied> entries;
    private List<DedupRecord> evicted = new ArrayList<>();

    DedupTable(int entriesMax) {
        this.entries = new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<RequestId, Applied> eldest) {
                if (size() > entriesMax) {
                    evicted.add(new DedupRecord(eldest.getValue().partition(),
                            eldest.getKey().clientId(), eldest.getKey().requestId(),
                            eldest.getValue().seq(), ByteString.EMPTY));
                    return true;
                }
                return false;
            }
        };
    }

    void record(String clientId, long requestId, int partition, long seq) {
        if (!clientId.isEmpty()) {
            entries.put(new RequestId(clientId, requestId), new Applied(partition, seq));
        }
    }

    /** The earlier application of this request in this partition, or null. */
    Applied find(String clientId, long requestId, int partition) {
        if (clientId.isEmpty()) {
            return null;
        }
        Applied a = entries.get(new RequestId(clientId, requestId));
        return a != null && a.partition() == partition ? a : null;
    }

    /** Forgets every entry of these partitions (their data was discarded). */
    void removePartitions(Set<Integer> partitions) {
        entries.values().removeIf(a -> partitions.contains(a.partition()));
    }

    /** The entries evicted since the last call, for the store to delete. */
    List<DedupRecord> drainEvicted() {
        if (evicted.isEmpty()) {
            return List.of();
        }
        List<DedupRecord> out = evicted;
        evicted = new ArrayList<>();
        return out;
    }

    int size() {
        return entries.size();
    }
}
