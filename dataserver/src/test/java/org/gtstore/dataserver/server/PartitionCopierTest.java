package org.gtstore.dataserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.gtstore.dataserver.chain.ChainEvent;
import org.gtstore.dataserver.chain.CopyCommand;
import org.gtstore.dataserver.storage.InMemoryStore;
import org.gtstore.proto.DedupEntry;
import org.gtstore.proto.Update;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The copier's reading of a copy: one chunk at a time as credits allow; in version order in
 * ascending version, each chunk with the dedup entries of the keys it brings (every request that
 * wrote one of them after the from-version); after the data, the partition's whole dedup table
 * in chunks of the same bound, the last of them the copy's last chunk.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PartitionCopierTest {
    private static final int P = 3;

    private static ByteString bytes(String s) {
        return ByteString.copyFrom(s, StandardCharsets.UTF_8);
    }

    private static Update write(long seq, String key, long requestId) {
        return Update.newBuilder().setPartition(P).setSeq(seq).setKey(bytes(key))
                .setValue(bytes("v" + seq)).setClientId("cl").setRequestId(requestId).build();
    }

    private static DedupEntry dedup(long requestId, long seq, String key) {
        return DedupEntry.newBuilder().setClientId("cl").setRequestId(requestId).setSeq(seq)
                .setKey(bytes(key)).build();
    }

    @Test
    void versionOrderChunksCarryTheRequestsThatWroteTheirKeys() throws InterruptedException {
        InMemoryStore store = new InMemoryStore();
        // k@1 is older than the copy's from-version; then a@2, b@3, a@4 (overwrites a@2), c@5.
        store.apply(List.of(write(1, "k", 1), write(2, "a", 2), write(3, "b", 3),
                write(4, "a", 4), write(5, "c", 5)), Map.of(P, 5L));
        LinkedBlockingQueue<ChainEvent> out = new LinkedBlockingQueue<>();
        try (PartitionCopier copier = new PartitionCopier("s", store, out::add, 1, 1)) {
            copier.start();
            copier.submit(new CopyCommand.Start(9, P, "t", 1, 5, 1, true));
            List<ChainEvent.CopyChunkRead> chunks = new ArrayList<>();
            while (chunks.isEmpty() || !chunks.get(chunks.size() - 1).last()) {
                ChainEvent e = out.poll(10, TimeUnit.SECONDS);
                chunks.add((ChainEvent.CopyChunkRead) e);
                copier.submit(new CopyCommand.Pull(9, 1));
            }
            // A chunk is cut once it reaches its size; the end is found by the next read, and
            // then one dedup entry a chunk follows (each reaches the one-byte size).
            assertEquals(3 + 5, chunks.size(), "b@3, a@4, c@5, then five dedup entries");
            assertEquals(List.of(3L, 4L, 5L), chunks.subList(0, 3).stream()
                    .map(c -> c.entries().get(0).getSeq()).toList());
            assertEquals(List.of(dedup(3, 3, "b")), chunks.get(0).dedup());
            assertEquals(List.of(2L, 4L), chunks.get(1).dedup().stream()
                    .map(DedupEntry::getSeq).sorted().toList(),
                    "a@4 brings the request that wrote a@2 as well");
            assertEquals(List.of(dedup(5, 5, "c")), chunks.get(2).dedup());
            assertFalse(chunks.get(6).last());
            assertTrue(chunks.get(7).last());
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L), chunks.subList(3, 8).stream()
                    .flatMap(c -> c.dedup().stream()).map(DedupEntry::getSeq).sorted().toList(),
                    "after the data: all of them");
        }
    }

    @Test
    void thousandsOfDedupEntriesTravelInChunksOfTheBound() throws InterruptedException {
        // Goal: a hot partition whose 4,000 requests wrote 1 KiB keys: 4 MiB of dedup entries.
        // No chunk exceeds the bound by more than one entry, and every entry arrives.
        InMemoryStore store = new InMemoryStore();
        List<Update> writes = new ArrayList<>();
        String pad = "k".repeat(1000);
        for (int i = 1; i <= 4000; i++) {
            writes.add(write(i, pad + i, i));
        }
        store.apply(writes, Map.of(P, 4000L));
        int bound = 64 << 10;
        LinkedBlockingQueue<ChainEvent> out = new LinkedBlockingQueue<>();
        try (PartitionCopier copier = new PartitionCopier("s", store, out::add, bound, 1)) {
            copier.start();
            copier.submit(new CopyCommand.Start(9, P, "t", 0, 4000, 1, false));
            List<ChainEvent.CopyChunkRead> chunks = new ArrayList<>();
            while (chunks.isEmpty() || !chunks.get(chunks.size() - 1).last()) {
                ChainEvent e = out.poll(10, TimeUnit.SECONDS);
                chunks.add((ChainEvent.CopyChunkRead) e);
                copier.submit(new CopyCommand.Pull(9, 1));
            }
            long dedupEntries = 0;
            for (ChainEvent.CopyChunkRead c : chunks) {
                long bytes = 0;
                for (Update u : c.entries()) {
                    bytes += u.getKey().size() + u.getValue().size();
                }
                for (DedupEntry d : c.dedup()) {
                    bytes += d.getKey().size() + d.getClientIdBytes().size();
                }
                assertTrue(bytes < bound + 2200, "a chunk of " + bytes + " bytes");
                dedupEntries += c.dedup().size();
            }
            assertEquals(4000, dedupEntries);
            assertEquals(4000, chunks.stream().mapToInt(c -> c.entries().size()).sum());
            assertTrue(chunks.size() > 100, chunks.size() + " chunks");
        }
    }
}
