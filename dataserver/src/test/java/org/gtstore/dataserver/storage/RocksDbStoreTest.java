package org.gtstore.dataserver.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.Update;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The RocksDB store keeps versions, tombstones and applied seqs, atomically and across reopen. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RocksDbStoreTest {
    @TempDir
    Path dir;

    private static Update put(int partition, long seq, String key, String value) {
        return Update.newBuilder().setPartition(partition).setSeq(seq).setKey(bytes(key))
                .setValue(bytes(value)).build();
    }

    private static Update delete(int partition, long seq, String key) {
        return Update.newBuilder().setPartition(partition).setSeq(seq).setKey(bytes(key))
                .setTombstone(true).build();
    }

    private static ByteString bytes(String s) {
        return ByteString.copyFrom(s, StandardCharsets.UTF_8);
    }

    @Test
    void storesLatestValueWithItsVersion() {
        try (RocksDbStore s = RocksDbStore.open(dir)) {
            s.apply(List.of(put(3, 1, "k", "v1"), put(3, 2, "k", "v2")), Map.of(3, 2L));
            StoredValue v = s.get(3, bytes("k"));
            assertEquals(bytes("v2"), v.value());
            assertEquals(2, v.version());
            assertFalse(v.tombstone());
            assertNull(s.get(4, bytes("k")), "same key, other partition");
            assertNull(s.get(3, bytes("other")));
        }
    }

    @Test
    void deleteIsATombstoneWithItsVersion() {
        try (RocksDbStore s = RocksDbStore.open(dir)) {
            s.apply(List.of(put(0, 1, "k", "v"), delete(0, 2, "k")), Map.of(0, 2L));
            StoredValue v = s.get(0, bytes("k"));
            assertTrue(v.tombstone());
            assertEquals(2, v.version());
            assertEquals(ByteString.EMPTY, v.value());
            assertEquals(0, s.countLiveKeys(0));
        }
    }

    @Test
    void dataAndAppliedSeqsSurviveReopen() {
        try (RocksDbStore s = RocksDbStore.open(dir)) {
            s.apply(List.of(put(1, 1, "a", "x"), put(2, 7, "b", "y")), Map.of(1, 1L, 2, 7L));
            s.apply(List.of(put(1, 2, "a", "z")), Map.of(1, 2L));
        }
        try (RocksDbStore s = RocksDbStore.open(dir)) {
            assertEquals(Map.of(1, 2L, 2, 7L), s.appliedSeqs());
            assertEquals(bytes("z"), s.get(1, bytes("a")).value());
            assertEquals(7, s.get(2, bytes("b")).version());
        }
    }

    @Test
    void dedupEntriesKeepTheKeyTheRequestWroteAcrossReopenAndInSnapshots() {
        // A copy in version order sends each dedup entry with the key it wrote (CopyChunk).
        Update w = put(1, 1, "a", "x").toBuilder().setClientId("cl").setRequestId(7).build();
        StoredDedup copied = new StoredDedup(1, "cl", 8, 2, bytes("b"));
        try (RocksDbStore s = RocksDbStore.open(dir)) {
            s.apply(new StoreBatch(List.of(), List.of(w), List.of(copied), List.of(),
                    Map.of(1, 2L), Map.of()));
        }
        List<StoredDedup> want = List.of(new StoredDedup(1, "cl", 7, 1, bytes("a")), copied);
        try (RocksDbStore s = RocksDbStore.open(dir)) {
            assertEquals(want, s.dedupEntries());
            try (PartitionSnapshot snap = s.snapshot(1)) {
                assertEquals(want, snap.dedup());
            }
        }
    }

    @Test
    void dedupEntryStoredWithoutItsKeyReadsWithAnEmptyKey() {
        byte[] key = KeyCodec.dedupKey(2, "cl", 9);
        byte[] seqOnly = java.nio.ByteBuffer.allocate(Long.BYTES).putLong(5).array();
        assertEquals(new StoredDedup(2, "cl", 9, 5, ByteString.EMPTY),
                KeyCodec.decodeDedup(key, seqOnly));
        assertEquals(new StoredDedup(2, "cl", 9, 5, bytes("k")),
                KeyCodec.decodeDedup(key, KeyCodec.dedupValue(5, bytes("k"))));
    }

    @Test
    void badBatchChangesNothing() {
        try (RocksDbStore s = RocksDbStore.open(dir)) {
            Update bad = Update.newBuilder().setPartition(1).setSeq(2).build();
            assertThrows(IllegalArgumentException.class,
                    () -> s.apply(List.of(put(1, 1, "a", "x"), bad), Map.of(1, 2L)));
            assertNull(s.get(1, bytes("a")));
            assertTrue(s.appliedSeqs().isEmpty());
        }
    }

    @Test
    void scanVisitsOnlyThePartitionInKeyOrder() {
        try (RocksDbStore s = RocksDbStore.open(dir)) {
            s.apply(List.of(put(5, 1, "b", "1"), put(5, 2, "a", "2"), put(6, 1, "a", "3"),
                    put(4, 1, "z", "4"), delete(5, 3, "c")), Map.of(4, 1L, 5, 3L, 6, 1L));
            List<String> keys = new ArrayList<>();
            s.scan(5, e -> keys.add(e.key().toStringUtf8()));
            assertEquals(List.of("a", "b", "c"), keys);
            assertEquals(2, s.countLiveKeys(5));
            assertEquals(1, s.countLiveKeys(6));
        }
    }

    @Test
    void joinEpochsAndCommitHoldsAreKeptApartAcrossReopenAndGoWithAReset() {
        // Goal: both are a partition plus a marker byte in the meta family; each reads back
        // only its own, 0 removes one, and a reset of the partition removes both.
        try (RocksDbStore s = RocksDbStore.open(dir)) {
            s.apply(new StoreBatch(List.of(), List.of(put(1, 3, "a", "x")), List.of(), List.of(),
                    Map.of(1, 3L), Map.of(1, 9L, 2, 4L), Map.of(1, 12L, 3, 5L)));
            s.apply(new StoreBatch(List.of(), List.of(), List.of(), List.of(), Map.of(),
                    Map.of(), Map.of(3, 0L)));
        }
        try (RocksDbStore s = RocksDbStore.open(dir)) {
            assertEquals(Map.of(1, 9L, 2, 4L), s.joinEpochs());
            assertEquals(Map.of(1, 12L), s.commitHolds());
            assertEquals(Map.of(1, 3L), s.appliedSeqs());
            s.apply(new StoreBatch(List.of(1), List.of(), List.of(), List.of(), Map.of(),
                    Map.of(), Map.of()));
            assertEquals(Map.of(2, 4L), s.joinEpochs());
            assertEquals(Map.of(), s.commitHolds());
        }
    }

    @Test
    void inMemoryStoreFollowsTheSameContract() {
        InMemoryStore s = new InMemoryStore();
        s.apply(List.of(put(5, 1, "b", "1"), put(5, 2, "a", "2"), delete(5, 3, "b"),
                put(6, 1, "a", "3")), Map.of(5, 3L, 6, 1L));
        List<String> keys = new ArrayList<>();
        s.scan(5, e -> keys.add(e.key().toStringUtf8()));
        assertEquals(List.of("a", "b"), keys);
        assertEquals(1, s.countLiveKeys(5));
        assertTrue(s.get(5, bytes("b")).tombstone());
        assertEquals(Map.of(5, 3L, 6, 1L), s.appliedSeqs());
    }
}
