package org.gtstore.dataserver.chain;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers the sequence number each recent (client id, request id) was applied with, so the
 * head answers a retried put with the original version instead of applying it twice.
 *
 * <p>Every replica records the updates it applies, not only the head: when the head dies, its
 * successor becomes head already knowing every request that reached it. The table is bounded
 * (least recently applied first out) and lives in memory only; a client retries within its
 * deadline, seconds, far less than the table holds at full load.
 */
final class DedupTable {
    /** A client request's identity. */
    record RequestId(String clientId, long requestId) {
    }

    /** Where the request was applied. */
    record Applied(int partition, long seq) {
    }

    private final LinkedHashMap<RequestId, Applied> entries;

    DedupTable(int entriesMax) {
        this.entries = new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<RequestId, Applied> eldest) {
                return size() > entriesMax;
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

    int size() {
        return entries.size();
    }
}
