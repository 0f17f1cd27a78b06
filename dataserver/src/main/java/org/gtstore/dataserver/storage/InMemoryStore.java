package org.gtstore.dataserver.storage;

import com.google.protobuf.ByteString;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;
import org.gtstore.proto.Update;

/**
 * A {@link LocalStore} in memory, for tests: same contract and ordering as {@link RocksDbStore},
 * with "durability" lasting as long as the object.
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
    private final Map<Integer, Long> applied = new HashMap<>();

    @Override
    public synchronized void apply(List<Update> updates, Map<Integer, Long> appliedSeqs) {
        LocalStore.validate(updates, appliedSeqs);
        for (Update u : updates) {
            data.put(new DataKey(u.getPartition(), u.getKey()), new StoredValue(
                    u.getTombstone() ? ByteString.EMPTY : u.getValue(), u.getSeq(),
                    u.getTombstone()));
        }
        applied.putAll(appliedSeqs);
    }

    @Override
    public StoredValue get(int partition, ByteString key) {
        return data.get(new DataKey(partition, key));
    }

    @Override
    public synchronized Map<Integer, Long> appliedSeqs() {
        return new HashMap<>(applied);
    }

    @Override
    public void scan(int partition, Consumer<StoredEntry> sink) {
        NavigableMap<DataKey, StoredValue> range = data.subMap(
                new DataKey(partition, ByteString.EMPTY), true,
                new DataKey(partition + 1, ByteString.EMPTY), false);
        range.forEach((k, v) -> sink.accept(new StoredEntry(k.key(), v)));
    }

    @Override
    public void close() {
    }
}
