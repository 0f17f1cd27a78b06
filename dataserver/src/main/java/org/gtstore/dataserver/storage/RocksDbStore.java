package org.gtstore.dataserver.storage;

import com.google.protobuf.ByteString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.gtstore.proto.Update;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link LocalStore} of a data server: one RocksDB per server, two column families
 * ({@code default} for the data, {@code meta} for the last applied seq per partition), both
 * written in one {@link WriteBatch} per driver batch, so data and seq never disagree.
 *
 * <p>Durability: the write-ahead log is on, but a batch is not fsynced. The WAL write reaches
 * the operating system before {@link #apply} returns, so a {@code kill -9} of the process loses
 * nothing applied (the kernel still writes the page cache out); a power cut or kernel crash may
 * lose the last moments. That is the trade DESIGN.md asks for: a sync per batch would bound the
 * chain's throughput by the disk's flush latency, and a write is on K machines' page caches
 * before it is acknowledged.
 *
 * <p>Memory is kept small for 10 JVMs on one machine: a 32 MB block cache and 16 MB write
 * buffers per column family (docs/contracts.md).
 *
 * <p>Thread safety: {@link #apply} from one thread (the driver); gets and scans from any.
 */
public final class RocksDbStore implements LocalStore {
    private static final Logger LOG = LoggerFactory.getLogger(RocksDbStore.class);
    private static final long BLOCK_CACHE_BYTES = 32L << 20;
    private static final long WRITE_BUFFER_BYTES = 16L << 20;

    static {
        RocksDB.loadLibrary();
    }

    private final Path dir;
    private final LRUCache cache;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final WriteOptions writeOptions;
    private final ReadOptions readOptions;
    private final RocksDB db;
    private final List<ColumnFamilyHandle> handles = new ArrayList<>();
    private final ColumnFamilyHandle data;
    private final ColumnFamilyHandle meta;

    private RocksDbStore(Path dir) throws RocksDBException {
        this.dir = dir;
        this.cache = new LRUCache(BLOCK_CACHE_BYTES);
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setFilterPolicy(new BloomFilter(10, false));
        this.cfOptions = new ColumnFamilyOptions()
                .setWriteBufferSize(WRITE_BUFFER_BYTES)
                .setMaxWriteBufferNumber(2)
                .setTableFormatConfig(table);
        this.dbOptions = new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setMaxBackgroundJobs(2);
        List<ColumnFamilyDescriptor> descriptors = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
                new ColumnFamilyDescriptor("meta".getBytes(), cfOptions));
        this.db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
        this.data = handles.get(0);
        this.meta = handles.get(1);
        this.writeOptions = new WriteOptions().setSync(false).setDisableWAL(false);
        this.readOptions = new ReadOptions();
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
    public void apply(List<Update> updates, Map<Integer, Long> appliedSeqs) {
        LocalStore.validate(updates, appliedSeqs);
        try (WriteBatch batch = new WriteBatch()) {
            for (Update u : updates) {
                batch.put(data, KeyCodec.dataKey(u.getPartition(), u.getKey()),
                        KeyCodec.encodeValue(u.getSeq(), u.getTombstone(), u.getValue()));
            }
            for (Map.Entry<Integer, Long> e : appliedSeqs.entrySet()) {
                batch.put(meta, KeyCodec.partitionPrefix(e.getKey()),
                        KeyCodec.seqValue(e.getValue()));
            }
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new StoreException("write of " + updates.size() + " updates to " + dir
                    + " failed: " + e.getMessage(), e);
        }
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
        Map<Integer, Long> out = new HashMap<>();
        try (RocksIterator it = db.newIterator(meta)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                out.put(KeyCodec.partitionOf(it.key()), KeyCodec.seqOf(it.value()));
            }
        }
        return out;
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
