package org.gtstore.dataserver.storage;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;
import org.gtstore.proto.Update;

/**
 * A {@link LocalStore} in memory, for tests: same contract and ordering as {@link RocksDbStore},
 * the same {@link Journal} (by default trimmed at every chance, so tests that restart replicas
 * on it see dedup entries only as long as the journal keeps them), with "durability" lasting as
 * long as the object. Its snapshots copy the partition (fine for tests; the RocksDB store never
 * does).
 */
public final class InMemoryStore implements LocalStore {
    private record DataKey(int partition, ByteString key) implements Comparable<DataKey> {
        @Override
        public int compareTo(DataKey o) {
            int c = Integer.compare(partition, o.partition);
            return c != 0 ? c
                    : ByteString.unsignedLexicographicalComparator().compare(key, o.key);
        }
    }

    private final ConcurrentSkipListMap<DataKey, StoredValue> data = new ConcurrentSkipListMap<>();
    private final TreeMap<Long, JournalRecord> records = new TreeMap<>();
    private final Journal journal;
    private final Map<Integer, Long> joined = new HashMap<>();
    private final Map<Integer, Long> holds = new HashMap<>();
    private final Map<Integer, byte[]> lineages = new HashMap<>();
    private final ConcurrentSkipListMap<ExpiryEntry, Boolean> expiries =
            new ConcurrentSkipListMap<>();

    /** A store whose journal deletes records at every chance. */
    public InMemoryStore() {
        this(1);
    }

    /** A store whose journal deletes records {@code trimStep} at a time. */
    public InMemoryStore(int trimStep) {
        this.journal = Journal.empty(trimStep);
    }

    @Override
    public synchronized void apply(StoreBatch b) {
        LocalStore.validate(b, journal.last());
        Journal.Trim trim = journal.plan(b);
        for (int p : b.resets()) {
            range(p).clear();
            joined.remove(p);
            holds.remove(p);
            lineages.remove(p);
        }
        for (Update u : b.updates()) {
            DataKey k = new DataKey(u.getPartition(), u.getKey());
            StoredValue old = data.get(k);
            if (u.getCopied() && old != null && old.version() >= u.getSeq()) {
                continue;
            }
            long expiresAt = u.getTombstone() ? 0 : u.getExpiresAtMs();
            if (expiresAt != 0 && old != null && old.expiresAtMs() != 0
                    && !b.resets().contains(u.getPartition())) {
                expiries.remove(new ExpiryEntry(old.expiresAtMs(), u.getPartition(),
                        old.version(), u.getKey()));
            }
            data.put(k, new StoredValue(u.getTombstone() ? ByteString.EMPTY : u.getValue(),
                    u.getSeq(), u.getTombstone(), expiresAt));
            if (expiresAt != 0) {
                expiries.put(new ExpiryEntry(expiresAt, u.getPartition(), u.getSeq(),
                        u.getKey()), Boolean.TRUE);
            }
        }
        records.put(b.journal(), JournalRecord.decode(b.journal(), JournalRecord.encode(b)));
        if (trim != null) {
            records.headMap(trim.to()).clear();
        }
        journal.written(b, trim);
        putOrRemove(joined, b.joinEpochs());
        putOrRemove(holds, b.commitHolds());
        b.lineages().forEach((p, l) -> {
            if (l.length > 0) {
                lineages.put(p, l.clone());
            } else {
                lineages.remove(p);
            }
        });
    }

    /** Positive values are stored, 0 removes the partition's entry. */
    private static void putOrRemove(Map<Integer, Long> into, Map<Integer, Long> changes) {
        changes.forEach((p, v) -> {
            if (v > 0) {
                into.put(p, v);
            } else {
                into.remove(p);
            }
        });
    }

    @Override
    public synchronized Map<Integer, Long> joinEpochs() {
        return new HashMap<>(joined);
    }

    @Override
    public synchronized Map<Integer, Long> commitHolds() {
        return new HashMap<>(holds);
    }

    @Override
    public synchronized Map<Integer, byte[]> lineages() {
        return new HashMap<>(lineages);
    }

    private NavigableMap<DataKey, StoredValue> range(int partition) {
        return data.subMap(new DataKey(partition, ByteString.EMPTY), true,
                new DataKey(partition + 1, ByteString.EMPTY), false);
    }

    @Override
    public StoredValue get(int partition, ByteString key) {
        return data.get(new DataKey(partition, key));
    }

    @Override
    public synchronized Map<Integer, Long> appliedSeqs() {
        return journal.appliedSeqs();
    }

    @Override
    public synchronized long lastJournal() {
        return journal.last();
    }

    @Override
    public synchronized List<StoredDedup> dedupEntries() {
        return Journal.dedupOf(new ArrayList<>(records.values()), -1);
    }

    @Override
    public synchronized PartitionSnapshot snapshot(int partition) {
        TreeMap<DataKey, StoredValue> copy = new TreeMap<>(range(partition));
        List<StoredDedup> dedupCopy = Journal.dedupOf(new ArrayList<>(records.values()),
                partition);
        return new PartitionSnapshot() {
            @Override
            public Cursor cursor() {
                Iterator<Map.Entry<DataKey, StoredValue>> it = copy.entrySet().iterator();
                return new Cursor() {
                    @Override
                    public StoredEntry next() {
                        if (!it.hasNext()) {
                            return null;
                        }
                        Map.Entry<DataKey, StoredValue> e = it.next();
                        return new StoredEntry(e.getKey().key(), e.getValue());
                    }

                    @Override
                    public void close() {
                    }
                };
            }

            @Override
            public List<StoredDedup> dedup() {
                return dedupCopy;
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public synchronized void forgetExpiries(List<ExpiryEntry> entries) {
        entries.forEach(expiries::remove);
    }

    @Override
    public List<ExpiryEntry> dueExpiries(long nowMs, ExpiryEntry after, int limit) {
        List<ExpiryEntry> out = new ArrayList<>();
        for (ExpiryEntry e : (after == null ? expiries : expiries.tailMap(after, false))
                .keySet()) {
            if (e.expiresAtMs() > nowMs || out.size() >= limit) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    @Override
    public void scan(int partition, Consumer<StoredEntry> sink) {
        range(partition).forEach((k, v) -> sink.accept(new StoredEntry(k.key(), v)));
    }

    /** Nothing to log: an in-memory store survives neither a kill nor a power cut. */
    @Override
    public void logAtSyncOnly(boolean atSyncOnly) {
    }

    /** Nothing to sync: an in-memory store survives neither a kill nor a power cut. */
    @Override
    public void sync() {
    }

    @Override
    public void close() {
    }
}
