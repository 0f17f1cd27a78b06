package org.gtstore.dataserver.storage;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.gtstore.proto.Update;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link LocalStore} of a data server: one RocksDB per server, four column families
 * ({@code default} for the data, {@code journal} for one {@link JournalRecord} per batch: the
 * applied seqs and the dedup entries it added, {@code meta} for the {@link Journal}'s
 * checkpoint and the per-partition join epochs and commit holds, {@code expiry} for the
 * expiry index of the values with a TTL, see {@link KeyCodec}), all written in one
 * {@link WriteBatch} per driver batch, so data, seqs and dedup never disagree (encoded in Java by
 * a {@link BatchEncoder}, so the batch crosses JNI once). A replicated write is one value record
 * plus its share of its batch's journal record. A copy reads a RocksDB snapshot through a
 * bounded iterator, never the whole partition at once.
 *
 * <p>Durability: the write-ahead log is on, but a batch is not fsynced. The WAL write reaches
 * the operating system before {@link #apply} returns, so a {@code kill -9} of the process loses
 * nothing applied (the kernel still writes the page cache out); a power cut or kernel crash may
 * lose the last moments. That is the trade DESIGN.md asks for: a sync per batch would bound the
 * chain's throughput by the disk's flush latency, and a write is on K machines' page caches
 * before it is acknowledged.
 *
 * <p>Memory is kept small for 10 JVMs on one machine: a 32 MB block cache and 2 MB write
 * buffers per column family (docs/contracts.md).
 *
 * <p>Thread safety: {@link #apply} from one thread (the driver); gets and scans from any.
 */
public final class RocksDbStore implements LocalStore {
    private static final Logger LOG = LoggerFactory.getLogger(RocksDbStore.class);
    private static final long BLOCK_CACHE_BYTES = 32L << 20;
    /**
     * Small memtables: an insert walks a skip list, and with ten processes on two cores that walk
     * is cache and TLB misses. At 16 MB the driver thread spent 36% of its time in memtable
     * inserts (K=3, 256 in flight); at 2 MB 25%, for a little more flushing in the background
     * (a profile with perf events, bench/README.md).
     */
    private static final long WRITE_BUFFER_BYTES = 2L << 20;
    private static final byte[] JOURNAL_CF = "journal".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EXPIRY_CF = "expiry".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EMPTY = new byte[0];
    /** Journal records deleted at a time: one range deletion and checkpoint per this many. */
    private static final int TRIM_STEP = 256;

    static {
        RocksDB.loadLibrary();
    }

    private final Path dir;
    private final LRUCache cache;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final WriteOptions writeOptions;
    /** See {@link #logAtSyncOnly}; written and read by the apply thread. */
    private boolean logAtSyncOnly;
    private final ReadOptions readOptions;
    private final RocksDB db;
    private final List<ColumnFamilyHandle> handles = new ArrayList<>();
    private final ColumnFamilyHandle data;
    private final ColumnFamilyHandle meta;
    private final ColumnFamilyHandle journalCf;
    private final ColumnFamilyHandle expiryCf;
    /** The batch {@link #apply} builds, reused (apply runs on one thread). */
    private final BatchEncoder encoder = new BatchEncoder();
    private final Journal journal;
    /**
     * The dedup entries read with the journal at open, for the first {@link #dedupEntries()}
     * (a restarted server asks once, before it writes); null once a batch was applied.
     */
    private volatile List<StoredDedup> dedupAtOpen;

    private RocksDbStore(Path dir) throws RocksDBException {
        this.dir = dir;
        this.cache = new LRUCache(BLOCK_CACHE_BYTES);
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setFilterPolicy(new BloomFilter(10, false));
        this.cfOptions = new ColumnFamilyOptions()
                .setWriteBufferSize(WRITE_BUFFER_BYTES)
                .setMaxWriteBufferNumber(2)
                // Small values, plenty of disk, two cores: snappy was a quarter of the
                // background flush and compaction work, for little space saved.
                .setCompressionType(CompressionType.NO_COMPRESSION)
                .setTableFormatConfig(table);
        this.dbOptions = new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setMaxBackgroundJobs(2)
                // The log is written by this class (apply, or sync when logging at sync only),
                // so in the fsync mode nothing unsynced ever reaches the file.
                .setManualWalFlush(true);
        List<ColumnFamilyDescriptor> descriptors = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
                new ColumnFamilyDescriptor("meta".getBytes(), cfOptions),
                new ColumnFamilyDescriptor(JOURNAL_CF, cfOptions),
                new ColumnFamilyDescriptor(EXPIRY_CF, cfOptions));
        refuseEarlierLayout(dir);
        this.db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
        this.data = handles.get(0);
        this.meta = handles.get(1);
        this.journalCf = handles.get(2);
        this.expiryCf = handles.get(3);
        this.writeOptions = new WriteOptions().setSync(false).setDisableWAL(false);
        this.readOptions = new ReadOptions();
        List<JournalRecord> stored = records(null);
        this.journal = Journal.recover(TRIM_STEP, checkpoint(), stored);
        this.dedupAtOpen = Journal.dedupOf(stored, -1);
    }

    /** A store with a dedup column family was written by an earlier layout this one cannot read. */
    private void refuseEarlierLayout(Path dir) throws RocksDBException {
        if (!Files.exists(dir.resolve("CURRENT"))) {
            return;
        }
        try (org.rocksdb.Options options = new org.rocksdb.Options()) {
            for (byte[] cf : RocksDB.listColumnFamilies(options, dir.toString())) {
                if (Arrays.equals(cf, "dedup".getBytes(StandardCharsets.US_ASCII))) {
                    throw new StoreException("the store at " + dir + " was written by an"
                            + " earlier GTStore layout (a dedup column family); move it aside"
                            + " and start the server on an empty directory: the cluster copies"
                            + " its partitions back", null);
                }
            }
        }
    }

    /** Opens (creating if needed) the store in {@code dir}. */
    public static RocksDbStore open(Path dir) {
        try {
            Files.createDirectories(dir);
            RocksDbStore s = new RocksDbStore(dir);
            LOG.info("opened RocksDB at {} ({} partitions with data)", dir,
                    s.appliedSeqs().size());
            return s;
        } catch (RocksDBException | java.io.IOException e) {
            throw new StoreException("cannot open RocksDB at " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void apply(StoreBatch b) {
        LocalStore.validate(b, journal.last());
        BatchEncoder batch = encoder;
        batch.reset();
        Journal.Trim trim = journal.plan(b);
        try {
            for (int p : b.resets()) {
                batch.deleteRange(data, KeyCodec.partitionPrefix(p), KeyCodec.partitionEnd(p));
                batch.delete(meta, KeyCodec.joinEpochKey(p));
                batch.delete(meta, KeyCodec.commitHoldKey(p));
                batch.delete(meta, KeyCodec.lineageKey(p));
            }
            putUpdates(batch, b);
            batch.put(journalCf, KeyCodec.journalKey(b.journal()), JournalRecord.encode(b));
            if (trim != null) {
                batch.deleteRange(journalCf, KeyCodec.journalKey(trim.from()),
                        KeyCodec.journalKey(trim.to()));
                batch.put(meta, KeyCodec.CHECKPOINT_KEY, trim.checkpoint());
            }
            for (Map.Entry<Integer, Long> e : b.joinEpochs().entrySet()) {
                putOrDelete(batch, KeyCodec.joinEpochKey(e.getKey()), e.getValue());
            }
            for (Map.Entry<Integer, Long> e : b.commitHolds().entrySet()) {
                putOrDelete(batch, KeyCodec.commitHoldKey(e.getKey()), e.getValue());
            }
            for (Map.Entry<Integer, byte[]> e : b.lineages().entrySet()) {
                if (e.getValue().length > 0) {
                    batch.put(meta, KeyCodec.lineageKey(e.getKey()), e.getValue());
                } else {
                    batch.delete(meta, KeyCodec.lineageKey(e.getKey()));
                }
            }
            try (WriteBatch rocksBatch = batch.toWriteBatch()) {
                db.write(writeOptions, rocksBatch);
            }
            if (!logAtSyncOnly) {
                db.flushWal(false);
            }
        } catch (RocksDBException e) {
            throw new StoreException("write of " + b.updates().size() + " updates to " + dir
                    + " failed: " + e.getMessage(), e);
        }
        journal.written(b, trim);
        dedupAtOpen = null;
    }

    /**
     * The values of the batch; a copied entry only if newer than the stored one. A value with
     * an expiry is indexed, and the index entry of the value it replaces goes (a key refreshed
     * with a TTL keeps one entry); an entry of a value replaced by one without a TTL stays
     * until the sweep finds it stale, so that writes without a TTL never read the store.
     */
    private void putUpdates(BatchEncoder batch, StoreBatch b) throws RocksDBException {
        boolean copies = false;
        for (Update u : b.updates()) {
            copies |= u.getCopied();
        }
        Map<ByteBuffer, Long> written = copies ? new HashMap<>() : null;
        Map<ByteBuffer, ExpiryEntry> indexed = null;
        for (Update u : b.updates()) {
            byte[] key = KeyCodec.dataKey(u.getPartition(), u.getKey());
            if (copies) {
                if (u.getCopied() && !newer(u, key, written, b.resets())) {
                    continue;
                }
                written.put(ByteBuffer.wrap(key), u.getSeq());
            }
            long expiresAt = u.getTombstone() ? 0 : u.getExpiresAtMs();
            if (expiresAt != 0) {
                indexed = indexed == null ? new HashMap<>() : indexed;
                ExpiryEntry entry = new ExpiryEntry(expiresAt, u.getPartition(), u.getSeq(),
                        u.getKey());
                ExpiryEntry replaced = indexed.put(ByteBuffer.wrap(key), entry);
                if (replaced == null && !b.resets().contains(u.getPartition())) {
                    replaced = storedExpiry(u, key);
                }
                if (replaced != null) {
                    batch.delete(expiryCf, KeyCodec.expiryKey(replaced));
                }
                batch.put(expiryCf, KeyCodec.expiryKey(entry), EMPTY);
            }
            batch.put(data, key, KeyCodec.encodeValue(u.getSeq(), u.getTombstone(),
                    u.getValue(), expiresAt));
        }
    }

    /** The index entry of the value stored under {@code key}, if it has an expiry. */
    private ExpiryEntry storedExpiry(Update u, byte[] key) throws RocksDBException {
        byte[] raw = db.get(data, readOptions, key);
        if (raw == null) {
            return null;
        }
        StoredValue v = KeyCodec.decodeValue(raw);
        return v.expiresAtMs() == 0 ? null
                : new ExpiryEntry(v.expiresAtMs(), u.getPartition(), v.version(), u.getKey());
    }

    /** True if a copied entry is newer than what the store (or this batch) holds for its key. */
    private boolean newer(Update u, byte[] key, Map<ByteBuffer, Long> written,
            List<Integer> resets) throws RocksDBException {
        Long inBatch = written.get(ByteBuffer.wrap(key));
        if (inBatch != null) {
            return u.getSeq() > inBatch;
        }
        if (resets.contains(u.getPartition())) {
            return true;
        }
        byte[] raw = db.get(data, readOptions, key);
        return raw == null || u.getSeq() > KeyCodec.versionOf(raw);
    }

    @Override
    public StoredValue get(int partition, ByteString key) {
        try {
            byte[] raw = db.get(data, readOptions, KeyCodec.dataKey(partition, key));
            return raw == null ? null : KeyCodec.decodeValue(raw);
        } catch (RocksDBException e) {
            throw new StoreException("read from " + dir + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Map<Integer, Long> appliedSeqs() {
        return journal.appliedSeqs();
    }

    /** Records in the memtables of all column families (what the batches wrote lately). */
    long memtableEntries() {
        long n = 0;
        try {
            for (ColumnFamilyHandle h : handles) {
                n += db.getLongProperty(h, "rocksdb.num-entries-active-mem-table");
            }
        } catch (RocksDBException e) {
            throw new StoreException("reading memtable statistics failed: " + e.getMessage(), e);
        }
        return n;
    }

    @Override
    public long lastJournal() {
        return journal.last();
    }

    private JournalRecord.Checkpoint checkpoint() throws RocksDBException {
        byte[] raw = db.get(meta, KeyCodec.CHECKPOINT_KEY);
        return raw == null ? JournalRecord.Checkpoint.NONE : JournalRecord.Checkpoint.decode(raw);
    }

    /** The journal records stored (as of the snapshot, if given), oldest first. */
    private List<JournalRecord> records(Snapshot snapshot) {
        List<JournalRecord> out = new ArrayList<>();
        try (ReadOptions options = new ReadOptions().setFillCache(false)) {
            if (snapshot != null) {
                options.setSnapshot(snapshot);
            }
            try (RocksIterator it = db.newIterator(journalCf, options)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    out.add(JournalRecord.decode(KeyCodec.seqOf(it.key()), it.value()));
                }
            }
        }
        return out;
    }

    /** A positive number stored under a meta key; 0 deletes it. */
    private void putOrDelete(BatchEncoder batch, byte[] key, long value) {
        if (value > 0) {
            batch.put(meta, key, KeyCodec.seqValue(value));
        } else {
            batch.delete(meta, key);
        }
    }

    @Override
    public Map<Integer, Long> joinEpochs() {
        return markedMeta(KeyCodec.JOIN_EPOCH_MARKER);
    }

    @Override
    public Map<Integer, Long> commitHolds() {
        return markedMeta(KeyCodec.COMMIT_HOLD_MARKER);
    }

    @Override
    public Map<Integer, byte[]> lineages() {
        Map<Integer, byte[]> out = new HashMap<>();
        forMarkedMeta(KeyCodec.LINEAGE_MARKER, (p, v) -> out.put(p, v));
        return out;
    }

    /** Every partition's meta number under the marker byte. */
    private Map<Integer, Long> markedMeta(byte marker) {
        Map<Integer, Long> out = new HashMap<>();
        forMarkedMeta(marker, (p, v) -> out.put(p, KeyCodec.seqOf(v)));
        return out;
    }

    private void forMarkedMeta(byte marker, java.util.function.BiConsumer<Integer, byte[]> sink) {
        try (RocksIterator it = db.newIterator(meta)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] key = it.key();
                if (key.length == KeyCodec.PARTITION_BYTES + 1
                        && key[KeyCodec.PARTITION_BYTES] == marker) {
                    sink.accept(KeyCodec.partitionOf(key), it.value());
                }
            }
        }
    }

    @Override
    public List<StoredDedup> dedupEntries() {
        List<StoredDedup> atOpen = dedupAtOpen;
        return atOpen != null ? List.copyOf(atOpen) : Journal.dedupOf(records(null), -1);
    }

    @Override
    public PartitionSnapshot snapshot(int partition) {
        return new RocksSnapshot(partition);
    }

    /** A RocksDB snapshot with cursors bounded to one partition's key ranges. */
    private final class RocksSnapshot implements PartitionSnapshot {
        private final int partition;
        private final Snapshot snapshot = db.getSnapshot();
        private final List<AutoCloseable> resources = new ArrayList<>();

        RocksSnapshot(int partition) {
            this.partition = partition;
        }

        private RocksIterator iterator(ColumnFamilyHandle cf) {
            Slice upper = new Slice(KeyCodec.partitionEnd(partition));
            ReadOptions options = new ReadOptions().setSnapshot(snapshot)
                    .setIterateUpperBound(upper).setFillCache(false);
            RocksIterator it = db.newIterator(cf, options);
            resources.add(it);
            resources.add(options);
            resources.add(upper);
            it.seek(KeyCodec.partitionPrefix(partition));
            return it;
        }

        @Override
        public Cursor cursor() {
            RocksIterator it = iterator(data);
            return new Cursor() {
                @Override
                public StoredEntry next() {
                    if (!it.isValid()) {
                        return null;
                    }
                    StoredEntry e = new StoredEntry(KeyCodec.userKey(it.key()),
                            KeyCodec.decodeValue(it.value()));
                    it.next();
                    return e;
                }

                @Override
                public void close() {
                    // Released with the snapshot.
                }
            };
        }

        @Override
        public List<StoredDedup> dedup() {
            return Journal.dedupOf(records(snapshot), partition);
        }

        @Override
        public void close() {
            for (int i = resources.size() - 1; i >= 0; i--) {
                try {
                    resources.get(i).close();
                } catch (Exception e) {
                    LOG.warn("closing a snapshot resource of {} failed: {}", dir, e.toString());
                }
            }
            resources.clear();
            db.releaseSnapshot(snapshot);
        }
    }

    @Override
    public void scan(int partition, Consumer<StoredEntry> sink) {
        try (Slice upper = new Slice(KeyCodec.partitionEnd(partition));
                ReadOptions options = new ReadOptions().setIterateUpperBound(upper);
                RocksIterator it = db.newIterator(data, options)) {
            for (it.seek(KeyCodec.partitionPrefix(partition)); it.isValid(); it.next()) {
                sink.accept(new StoredEntry(KeyCodec.userKey(it.key()),
                        KeyCodec.decodeValue(it.value())));
            }
        }
    }

    @Override
    public void scan(int partition, ByteString prefix, ByteString afterKey,
            Predicate<StoredEntry> sink) {
        boolean resume = !afterKey.isEmpty() && ByteString.unsignedLexicographicalComparator()
                .compare(afterKey, prefix) >= 0;
        try (Slice upper = new Slice(KeyCodec.partitionEnd(partition));
                ReadOptions options = new ReadOptions().setIterateUpperBound(upper);
                RocksIterator it = db.newIterator(data, options)) {
            it.seek(KeyCodec.dataKey(partition, resume ? afterKey : prefix));
            for (; it.isValid(); it.next()) {
                ByteString key = KeyCodec.userKey(it.key());
                if (resume && key.equals(afterKey)) {
                    continue;
                }
                if (!key.startsWith(prefix) || !sink.test(new StoredEntry(key,
                        KeyCodec.decodeValue(it.value())))) {
                    return;
                }
            }
            it.status();
        } catch (RocksDBException e) {
            throw new StoreException("scanning partition " + partition + " of " + dir
                    + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void forgetExpiries(List<ExpiryEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        try (WriteBatch batch = new WriteBatch()) {
            for (ExpiryEntry e : entries) {
                batch.delete(expiryCf, KeyCodec.expiryKey(e));
            }
            db.write(writeOptions, batch);
            if (!logAtSyncOnly) {
                db.flushWal(false);
            }
        } catch (RocksDBException e) {
            throw new StoreException("removing " + entries.size() + " expiry index entries of "
                    + dir + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public List<ExpiryEntry> dueExpiries(long nowMs, ExpiryEntry after, int limit) {
        List<ExpiryEntry> out = new ArrayList<>();
        try (Slice upper = new Slice(KeyCodec.expiryKeysAfter(nowMs));
                ReadOptions options = new ReadOptions().setIterateUpperBound(upper);
                RocksIterator it = db.newIterator(expiryCf, options)) {
            if (after == null) {
                it.seekToFirst();
            } else {
                byte[] from = KeyCodec.expiryKey(after);
                it.seek(from);
                if (it.isValid() && Arrays.equals(it.key(), from)) {
                    it.next();
                }
            }
            for (; it.isValid() && out.size() < limit; it.next()) {
                out.add(KeyCodec.expiryEntry(it.key()));
            }
            it.status();
        } catch (RocksDBException e) {
            throw new StoreException("reading the expiry index of " + dir + " failed: "
                    + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public void logAtSyncOnly(boolean atSyncOnly) {
        this.logAtSyncOnly = atSyncOnly;
    }

    @Override
    public void sync() {
        try {
            db.flushWal(true);
        } catch (RocksDBException e) {
            throw new StoreException("syncing the log of " + dir + " failed: " + e.getMessage(),
                    e);
        }
    }

    @Override
    public void close() {
        try {
            db.flushWal(true);
        } catch (RocksDBException e) {
            LOG.warn("flushing the WAL of {} on close failed: {}", dir, e.getMessage());
        }
        for (ColumnFamilyHandle h : handles) {
            h.close();
        }
        db.close();
        writeOptions.close();
        readOptions.close();
        dbOptions.close();
        cfOptions.close();
        cache.close();
    }
}
