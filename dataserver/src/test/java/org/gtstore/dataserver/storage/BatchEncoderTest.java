package org.gtstore.dataserver.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/** The Java-built batch is byte for byte RocksDB's own, and RocksDB applies it as such. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BatchEncoderTest {
    static {
        RocksDB.loadLibrary();
    }

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Opens a store with the default family and two others (ids 1 and 2), as RocksDbStore. */
    private interface Body {
        void run(RocksDB db, List<ColumnFamilyHandle> cfs) throws RocksDBException;
    }

    private void withDb(Body body) throws RocksDBException {
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (ColumnFamilyOptions cf = new ColumnFamilyOptions();
                DBOptions options = new DBOptions().setCreateIfMissing(true)
                        .setCreateMissingColumnFamilies(true)) {
            List<ColumnFamilyDescriptor> descriptors = List.of(
                    new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cf),
                    new ColumnFamilyDescriptor(b("meta"), cf),
                    new ColumnFamilyDescriptor(b("dedup"), cf));
            try (RocksDB db = RocksDB.open(options, dir.toString(), descriptors, handles)) {
                body.run(db, handles);
            } finally {
                handles.forEach(ColumnFamilyHandle::close);
            }
        }
    }

    @Test
    void encodesPutsDeletesAndRangeDeletesAsRocksDbDoes() throws RocksDBException {
        withDb((db, cfs) -> {
            BatchEncoder encoder = new BatchEncoder();
            try (WriteBatch expected = new WriteBatch()) {
                for (ColumnFamilyHandle cf : cfs) {
                    expected.put(cf, b("key"), b("value"));
                    encoder.put(cf, b("key"), b("value"));
                    expected.delete(cf, b("gone"));
                    encoder.delete(cf, b("gone"));
                    expected.deleteRange(cf, b("a"), b("b"));
                    encoder.deleteRange(cf, b("a"), b("b"));
                    expected.put(cf, new byte[0], new byte[0]);
                    encoder.put(cf, new byte[0], new byte[0]);
                }
                // Lengths of two and three varint bytes, and enough data to grow the buffer.
                byte[] big = new byte[20_000];
                Arrays.fill(big, (byte) 7);
                expected.put(cfs.get(2), new byte[200], big);
                encoder.put(cfs.get(2), new byte[200], big);
                assertEquals(expected.count(), encoder.count());
                assertArrayEquals(expected.data(), encoder.serialized());
            }
        });
    }

    @Test
    void reuseAfterResetEncodesOnlyTheNewBatch() throws RocksDBException {
        withDb((db, cfs) -> {
            BatchEncoder encoder = new BatchEncoder();
            encoder.put(cfs.get(1), b("old"), b("x"));
            encoder.reset();
            try (WriteBatch expected = new WriteBatch()) {
                expected.put(cfs.get(0), b("new"), b("y"));
                encoder.put(cfs.get(0), b("new"), b("y"));
                assertArrayEquals(expected.data(), encoder.serialized());
            }
        });
    }

    @Test
    void rocksDbAppliesTheEncodedBatch() throws RocksDBException {
        withDb((db, cfs) -> {
            Random random = new Random(5);
            BatchEncoder encoder = new BatchEncoder();
            byte[] value = new byte[300];
            random.nextBytes(value);
            encoder.put(cfs.get(0), b("k1"), value);
            encoder.put(cfs.get(2), b("k2"), b("dedup"));
            encoder.put(cfs.get(1), b("k3"), b("doomed"));
            encoder.delete(cfs.get(1), b("k3"));
            try (WriteOptions w = new WriteOptions();
                    WriteBatch batch = encoder.toWriteBatch()) {
                db.write(w, batch);
            }
            assertArrayEquals(value, db.get(cfs.get(0), b("k1")));
            assertArrayEquals(b("dedup"), db.get(cfs.get(2), b("k2")));
            assertNull(db.get(cfs.get(1), b("k3")));
            assertNull(db.get(cfs.get(0), b("k2")), "each record went to its own family");

            encoder.reset();
            encoder.deleteRange(cfs.get(0), b("k0"), b("k9"));
            try (WriteOptions w = new WriteOptions();
                    WriteBatch batch = encoder.toWriteBatch()) {
                db.write(w, batch);
            }
            assertNull(db.get(cfs.get(0), b("k1")));
        });
    }
}
