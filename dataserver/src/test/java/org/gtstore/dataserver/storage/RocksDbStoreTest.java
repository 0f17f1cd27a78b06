package org.gtstore.dataserver.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
    void aRangedScanSeeksPastTheResumeKeyKeepsToThePrefixAndStopsWhenTold() {
        try (RocksDbStore s = RocksDbStore.open(dir); InMemoryStore m = new InMemoryStore()) {
            for (LocalStore store : List.<LocalStore>of(s, m)) {
                store.apply(List.of(put(2, 1, "a", "1"), put(2, 2, "ab", "2"),
                        put(2, 3, "abc", "3"), put(2, 4, "b", "4"), delete(2, 5, "ac"),
                        put(3, 1, "aa", "other partition")), Map.of(2, 5L, 3, 1L));
                assertEquals(List.of("a", "ab", "abc", "ac", "b"), keys(store, "", ""));
                assertEquals(List.of("abc", "ac"), keys(store, "a", "ab"));
                assertEquals(List.of("ab", "abc"), keys(store, "ab", ""));
                assertEquals(List.of("b"), keys(store, "", "ac"));
                assertEquals(List.of(), keys(store, "z", ""));
                List<String> two = new ArrayList<>();
                store.scan(2, ByteString.EMPTY, ByteString.EMPTY, e -> {
                    two.add(e.key().toStringUtf8());
                    return two.size() < 2;
                });
                assertEquals(List.of("a", "ab"), two, "stops when the sink says so");
            }
        }
    }

    private static List<String> keys(LocalStore store, String prefix, String after) {
        List<String> out = new ArrayList<>();
        store.scan(2, bytes(prefix), bytes(after), e -> out.add(e.key().toStringUtf8()));
        return out;
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

    private static Update clientPut(int partition, long seq, String key, long requestId) {
        return put(partition, seq, key, "v").toBuilder().setClientId("cl")
                .setRequestId(requestId).build();
    }

    private static StoreBatch batch(long journal, long keepFrom, List<Integer> resets,
            List<Update> updates, List<StoredDedup> dedupAdded, Map<Integer, Long> seqs) {
        return new StoreBatch(journal, keepFrom, resets, updates, dedupAdded, seqs, Map.of(),
                Map.of());
    }

    @Test
    void dedupEntriesKeepTheKeyTheRequestWroteAcrossReopenAndInSnapshots() {
        // A copy in version order sends each dedup entry with the key it wrote (CopyChunk).
        Update w = clientPut(1, 1, "a", 7);
        StoredDedup copied = new StoredDedup(1, "cl", 8, 2, bytes("b"), 1);
        try (RocksDbStore s = RocksDbStore.open(dir)) {
            s.apply(batch(1, 0, List.of(), List.of(w), List.of(copied), Map.of(1, 2L)));
        }
        List<StoredDedup> want = List.of(new StoredDedup(1, "cl", 7, 1, bytes("a"), 1), copied);
        try (RocksDbStore s = RocksDbStore.open(dir)) {
            assertEquals(want, s.dedupEntries());
            assertEquals(1, s.lastJournal());
            try (PartitionSnapshot snap = s.snapshot(1)) {
                assertEquals(want, snap.dedup());
            }
            try (PartitionSnapshot snap = s.snapshot(2)) {
                assertEquals(List.of(), snap.dedup());
            }
        }
    }

    @Test
    void aReplicatedWriteIsOneRecordPlusItsShareOfTheBatchsJournalRecord() {
        try (RocksDbStore s = RocksDbStore.open(dir)) {
            List<Update> writes = new ArrayList<>();
            for (int i = 1; i <= 50; i++) {
                writes.add(clientPut(i % 4, i, "k" + i, i));
            }
            long before = s.memtableEntries();
            s.apply(batch(1, 1, List.of(), writes, List.of(), Map.of(0, 48L, 1, 49L, 2, 50L,
                    3, 47L)));
            assertEquals(51, s.memtableEntries() - before, "50 values and one journal record");
        }
    }

    @Test
    void trimmedJournalKeepsEveryAppliedSeqAndTheEntriesStillRemembered() {
        checkTrimmedJournal(() -> RocksDbStore.open(dir), true);
    }

    @Test
    void inMemoryStoreTrimsItsJournalTheSameWay() {
        InMemoryStore mem = new InMemoryStore(256);
        // One object for both "opens": closing it must not lose anything.
        checkTrimmedJournal(() -> new ForwardingStore(mem) {
            @Override
            public void close() {
            }
        }, false);
    }

    /**
     * 700 batches of one write each, the writer remembering the last 100; partition 9 is
     * written only by the first batch, so its seq lives on only in the checkpoint.
     */
    private void checkTrimmedJournal(java.util.function.Supplier<LocalStore> open,
            boolean reopen) {
        LocalStore s = open.get();
        s.apply(batch(1, 1, List.of(), List.of(clientPut(9, 1, "only", 1)), List.of(),
                Map.of(9, 1L)));
        for (long j = 2; j <= 700; j++) {
            s.apply(batch(j, Math.max(1, j - 100), List.of(), List.of(clientPut(1, j, "k", j)),
                    List.of(), Map.of(1, j)));
        }
        if (reopen) {
            s.close();
            s = open.get();
        }
        assertEquals(700, s.lastJournal());
        assertEquals(Map.of(9, 1L, 1, 700L), s.appliedSeqs());
        List<StoredDedup> entries = s.dedupEntries();
        // Deleted 256 at a time: records [1, 512) are gone; [512, 700] are kept.
        assertEquals(512, entries.get(0).journal());
        assertEquals(700, entries.get(entries.size() - 1).requestId());
        assertEquals(189, entries.size());
        for (StoredDedup d : entries) {
            assertEquals(d.requestId(), d.journal());
            assertEquals(d.requestId(), d.seq());
        }
        s.close();
    }

    @Test
    void aResetForgetsThePartitionsDedupEntriesAndSeqAcrossReopen() {
        try (RocksDbStore s = RocksDbStore.open(dir)) {
            s.apply(batch(1, 1, List.of(), List.of(clientPut(1, 1, "a", 1),
                    clientPut(2, 1, "b", 2)), List.of(), Map.of(1, 1L, 2, 1L)));
            s.apply(batch(2, 1, List.of(1), List.of(), List.of(), Map.of()));
        }
        try (RocksDbStore s = RocksDbStore.open(dir)) {
            assertEquals(Map.of(2, 1L), s.appliedSeqs());
            assertEquals(List.of(new StoredDedup(2, "cl", 2, 1, bytes("b"), 1)),
                    s.dedupEntries());
            assertNull(s.get(1, bytes("a")));
        }
    }

    @Test
    void aBatchThatDoesNotAdvanceTheJournalChangesNothing() {
        try (RocksDbStore s = RocksDbStore.open(dir)) {
            s.apply(batch(5, 0, List.of(), List.of(put(1, 1, "a", "x")), List.of(),
                    Map.of(1, 1L)));
            assertThrows(IllegalArgumentException.class, () -> s.apply(batch(5, 0, List.of(),
                    List.of(put(1, 2, "a", "y")), List.of(), Map.of(1, 2L))));
            assertThrows(IllegalArgumentException.class, () -> s.apply(batch(6, 7, List.of(),
                    List.of(put(1, 2, "a", "y")), List.of(), Map.of(1, 2L))));
            assertEquals(1, s.get(1, bytes("a")).version());
            assertEquals(5, s.lastJournal());
        }
    }

    @Test
    void aStoreOfTheEarlierLayoutIsRefusedWithoutBeingChanged() throws Exception {
        try (org.rocksdb.DBOptions o = new org.rocksdb.DBOptions().setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)) {
            List<org.rocksdb.ColumnFamilyDescriptor> cfs = List.of(
                    new org.rocksdb.ColumnFamilyDescriptor(org.rocksdb.RocksDB.DEFAULT_COLUMN_FAMILY),
                    new org.rocksdb.ColumnFamilyDescriptor("dedup".getBytes()));
            List<org.rocksdb.ColumnFamilyHandle> handles = new ArrayList<>();
            try (org.rocksdb.RocksDB db = org.rocksdb.RocksDB.open(o, dir.toString(), cfs,
                    handles)) {
                handles.forEach(org.rocksdb.ColumnFamilyHandle::close);
            }
        }
        StoreException e = assertThrows(StoreException.class, () -> RocksDbStore.open(dir));
        assertTrue(e.getMessage().contains("earlier GTStore layout"), e.getMessage());
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
            s.apply(new StoreBatch(1, 0, List.of(), List.of(put(1, 3, "a", "x")), List.of(),
                    Map.of(1, 3L), Map.of(1, 9L, 2, 4L), Map.of(1, 12L, 3, 5L)));
            s.apply(new StoreBatch(2, 0, List.of(), List.of(), List.of(), Map.of(),
                    Map.of(), Map.of(3, 0L)));
        }
        try (RocksDbStore s = RocksDbStore.open(dir)) {
            assertEquals(Map.of(1, 9L, 2, 4L), s.joinEpochs());
            assertEquals(Map.of(1, 12L), s.commitHolds());
            assertEquals(Map.of(1, 3L), s.appliedSeqs());
            s.apply(new StoreBatch(3, 0, List.of(1), List.of(), List.of(), Map.of(),
                    Map.of(), Map.of()));
            assertEquals(Map.of(2, 4L), s.joinEpochs());
            assertEquals(Map.of(), s.commitHolds());
        }
    }

    @Test
    void lineagesAreKeptAcrossReopenReplacedAndGoWithAReset() {
        // Goal: a reset discards the partition's lineage before the batch's own puts, so a
        // replica cut back and given its predecessor's lineage in one batch keeps the new one.
        byte[] one = {1, 2, 3};
        byte[] two = {4, 5};
        try (RocksDbStore s = RocksDbStore.open(dir)) {
            s.apply(new StoreBatch(1, 0, List.of(), List.of(), List.of(), Map.of(), Map.of(),
                    Map.of(), Map.of(1, one, 2, one)));
        }
        try (RocksDbStore s = RocksDbStore.open(dir)) {
            assertArrayEquals(one, s.lineages().get(1));
            assertArrayEquals(one, s.lineages().get(2));
            assertEquals(Map.of(), s.commitHolds(), "kept apart from the other meta numbers");
            s.apply(new StoreBatch(2, 0, List.of(1, 2), List.of(), List.of(), Map.of(),
                    Map.of(), Map.of(), Map.of(1, two)));
            assertEquals(1, s.lineages().size());
            assertArrayEquals(two, s.lineages().get(1));
            s.apply(new StoreBatch(3, 0, List.of(), List.of(), List.of(), Map.of(), Map.of(),
                    Map.of(), Map.of(1, new byte[0])));
            assertEquals(Map.of(), s.lineages());
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
