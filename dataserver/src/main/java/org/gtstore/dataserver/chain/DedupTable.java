package org.gtstore.dataserver.chain;

import com.google.protobuf.ByteString;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Remembers the sequence number each recent (client id, request id) was applied with, and the
 * key it wrote, so the head answers a retried put with the original version instead of
 * applying it twice. A put is a retry only if it names the same request AND the same key: two
 * requests that share ids by mistake (two processes given one client id) are two writes.
 *
 * <p>Every replica records the updates it applies, not only the head: when the head dies, its
 * successor becomes head already knowing every request that reached it. The table is bounded
 * (least recently recorded first out). It is persisted with the data: each entry lives in the
 * store's journal record of the batch that applied it ({@link #journal()} numbers the batch
 * being collected), and {@link #keepFrom()} tells the store which records still hold an entry
 * the table remembers; a restarted server loads them back, so a retry that reaches a restarted
 * head is still recognised. A client retries within its deadline, seconds, far less than the
 * table holds at full load.
 *
 * <p>What the table forgot it cannot vouch for: a retry whose first attempt may predate the
 * newest entry it forgot (evicted, or never seen here: before a restart with a full table, or
 * before a copy brought the partition) might have been applied then, so
 * {@link #mayHaveForgotten} tells the head to answer it with an error instead of applying it a
 * second time. Times are ticks of the replica's logical clock, which never runs ahead of real
 * time.
 */
final class DedupTable {
    /** A client request's identity. */
    record RequestId(String clientId, long requestId) {
    }

    /**
     * Where the request was applied, the key it wrote, the journal record holding it, and the
     * tick it was recorded at.
     */
    record Applied(int partition, long seq, ByteString key, long journal, long tick) {
    }

    /** No entry was ever forgotten. */
    private static final long NOTHING_FORGOTTEN = Long.MIN_VALUE;

    private final int entriesMax;
    private final LinkedHashMap<RequestId, Applied> entries = new LinkedHashMap<>(1024);
    private long journal;
    private long now;
    /** The newest tick an entry was recorded at among those this table forgot. */
    private long forgottenTick = NOTHING_FORGOTTEN;
    /** Per partition: the tick before which its requests were never all seen here. */
    private final Map<Integer, Long> unseenBefore = new HashMap<>();
    /** The tick this table was loaded from a store that had run before, or MIN_VALUE. */
    private long restartedAt = NOTHING_FORGOTTEN;

    /** @param journal the number of the first batch this table's records go to */
    DedupTable(int entriesMax, long journal) {
        this.entriesMax = entriesMax;
        this.journal = journal;
    }

    /** The logical clock moved on to {@code tick}. */
    void advance(long tick) {
        now = tick;
    }

    /** Records a request applied in the batch being collected. */
    void record(String clientId, long requestId, int partition, long seq, ByteString key) {
        put(clientId, requestId, new Applied(partition, seq, key, journal, now));
    }

    /** Loads an entry recovered from the store, in the order the store gives (oldest first). */
    void load(DedupRecord d) {
        put(d.clientId(), d.requestId(), new Applied(d.partition(), d.seq(), d.key(),
                d.journal(), now));
    }

    /**
     * Every entry recovered from the store is loaded. A full table may have forgotten entries
     * in the process before, when, is not known: it vouches only for what comes from now on.
     * A {@code restarted} store's memory of a partition it got by a copy reached back only as
     * far as that copy's source, which the process before knew and this one does not: what it
     * tells a copy of its own ({@link #memoryMs}) starts at the restart.
     */
    void loaded(boolean restarted) {
        if (entries.size() >= entriesMax) {
            forgottenTick = Math.max(forgottenTick, now);
        }
        if (restarted) {
            restartedAt = now;
        }
    }

    /**
     * The partition's requests until now were seen elsewhere: a copy brings the entries its
     * source remembers, which may have forgotten older ones.
     */
    void copiedIn(int partition) {
        unseenBefore.put(partition, now);
    }

    /** Every request of the partition applied here is remembered ({@link #memoryMs}). */
    static final long REMEMBERS_ALL = -1;

    /**
     * How far back, at least, this table remembers every request of {@code partition}, in ms
     * of real time ({@link #REMEMBERS_ALL} if it never forgot one), and no further back than
     * a restart of its store: what a copy of the partition taken now tells its receiver.
     */
    long memoryMs(int partition, long tickMs) {
        long horizon = Math.max(horizon(partition), restartedAt);
        return horizon == NOTHING_FORGOTTEN ? REMEMBERS_ALL : (now - horizon) * tickMs;
    }

    /**
     * The partition's own horizon (when a copy last brought it here), not counting what the
     * table evicted; {@code Long.MIN_VALUE} if no copy did.
     */
    long copiedInAt(int partition) {
        return unseenBefore.getOrDefault(partition, NOTHING_FORGOTTEN);
    }

    /**
     * A copy of {@code partition} is whole: its chunks brought every request the source
     * remembered up to the snapshot (the chain brings the later ones), so this table now
     * remembers as far back as the source did, {@code sourceMemoryMs} ago at least
     * ({@link #REMEMBERS_ALL}: always), and no further back than {@code ownHorizon}, its own
     * horizon for the requests the copy did not cover ({@code Long.MIN_VALUE} if the copy
     * covered them all). Ticks are never shorter than {@code tickMs}, so rounding down keeps
     * the horizon no earlier than the source's.
     */
    void copyCompleted(int partition, long sourceMemoryMs, long ownHorizon, long tickMs) {
        long source = sourceMemoryMs < 0 ? NOTHING_FORGOTTEN : now - sourceMemoryMs / tickMs;
        long horizon = Math.max(source, ownHorizon);
        if (horizon == NOTHING_FORGOTTEN) {
            unseenBefore.remove(partition);
        } else {
            unseenBefore.put(partition, horizon);
        }
    }

    /** The tick before which a request of the partition may be forgotten, or MIN_VALUE. */
    private long horizon(int partition) {
        return Math.max(forgottenTick, unseenBefore.getOrDefault(partition, NOTHING_FORGOTTEN));
    }

    /**
     * True if a retry of a write in {@code partition} whose first attempt was sent
     * {@code ageMs} ago (0: this is the first attempt), which this table does not find, may
     * still have been applied before: its first attempt may predate what the table forgot.
     * {@code marginMs} covers the time the retry spent on its way.
     */
    boolean mayHaveForgotten(int partition, long ageMs, long tickMs, long marginMs) {
        if (ageMs <= 0) {
            return false;
        }
        long horizon = horizon(partition);
        if (horizon == NOTHING_FORGOTTEN) {
            return false;
        }
        // Ticks are never shorter than tickMs, so this is at most the real time since then.
        long sinceMs = (now - horizon) * tickMs;
        return ageMs + marginMs >= sinceMs;
    }

    private void put(String clientId, long requestId, Applied applied) {
        if (clientId.isEmpty()) {
            return;
        }
        RequestId id = new RequestId(clientId, requestId);
        if (entries.put(id, applied) != null) {
            // Recorded again (a copy brought it): it moves to the newest place.
            entries.remove(id);
            entries.put(id, applied);
        }
        if (entries.size() > entriesMax) {
            Iterator<Applied> eldest = entries.values().iterator();
            forgottenTick = Math.max(forgottenTick, eldest.next().tick());
            eldest.remove();
        }
    }

    /** The earlier application of this request, writing this key in this partition, or null. */
    Applied find(String clientId, long requestId, int partition, ByteString key) {
        if (clientId.isEmpty()) {
            return null;
        }
        Applied a = entries.get(new RequestId(clientId, requestId));
        return a != null && a.partition() == partition && a.key().equals(key) ? a : null;
    }

    /**
     * Forgets every entry of these partitions: their data was discarded, so a retry of a write
     * it held is rightly applied again (once the partition is copied back, {@link #copiedIn}).
     */
    void removePartitions(Set<Integer> partitions) {
        entries.values().removeIf(a -> partitions.contains(a.partition()));
    }

    /** A request the table remembers, as {@link #forEachApplied} lists it. */
    interface AppliedRequest {
        void accept(String clientId, long requestId, long seq);
    }

    /** Every request of {@code partition} applied at a seq in (after, upTo], oldest first. */
    void forEachApplied(int partition, long after, long upTo, AppliedRequest out) {
        for (Map.Entry<RequestId, Applied> e : entries.entrySet()) {
            Applied a = e.getValue();
            if (a.partition() == partition && a.seq() > after && a.seq() <= upTo) {
                out.accept(e.getKey().clientId(), e.getKey().requestId(), a.seq());
            }
        }
    }

    /** The journal number of the batch being collected. */
    long journal() {
        return journal;
    }

    /** The batch being collected went to the store: later records go to the next one. */
    void nextJournal() {
        journal++;
    }

    /**
     * The oldest journal record holding an entry this table remembers (the batch being collected
     * if none): the store may forget the entries of older records.
     */
    long keepFrom() {
        for (Map.Entry<RequestId, Applied> e : entries.entrySet()) {
            return Math.min(e.getValue().journal(), journal);
        }
        return journal;
    }

    int size() {
        return entries.size();
    }
}
