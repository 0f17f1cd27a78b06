package org.gtstore.dataserver.storage;

import com.google.protobuf.ByteString;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** A store that passes every call to another; tests override the calls they watch. */
public class ForwardingStore implements LocalStore {
    private final LocalStore delegate;

    public ForwardingStore(LocalStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public List<ExpiryEntry> dueExpiries(long nowMs, ExpiryEntry after, int limit) {
        return delegate.dueExpiries(nowMs, after, limit);
    }

    @Override
    public void forgetExpiries(List<ExpiryEntry> entries) {
        delegate.forgetExpiries(entries);
    }

    @Override
    public void apply(StoreBatch batch) {
        delegate.apply(batch);
    }

    @Override
    public void logAtSyncOnly(boolean atSyncOnly) {
        delegate.logAtSyncOnly(atSyncOnly);
    }

    @Override
    public void sync() {
        delegate.sync();
    }

    @Override
    public long lastJournal() {
        return delegate.lastJournal();
    }

    @Override
    public Map<Integer, Long> joinEpochs() {
        return delegate.joinEpochs();
    }

    @Override
    public Map<Integer, Long> commitHolds() {
        return delegate.commitHolds();
    }

    @Override
    public Map<Integer, byte[]> lineages() {
        return delegate.lineages();
    }

    @Override
    public List<StoredDedup> dedupEntries() {
        return delegate.dedupEntries();
    }

    @Override
    public PartitionSnapshot snapshot(int partition) {
        return delegate.snapshot(partition);
    }

    @Override
    public StoredValue get(int partition, ByteString key) {
        return delegate.get(partition, key);
    }

    @Override
    public Map<Integer, Long> appliedSeqs() {
        return delegate.appliedSeqs();
    }

    @Override
    public void scan(int partition, Consumer<StoredEntry> sink) {
        delegate.scan(partition, sink);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
