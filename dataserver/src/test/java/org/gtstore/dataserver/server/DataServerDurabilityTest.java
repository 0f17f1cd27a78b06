package org.gtstore.dataserver.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.gtstore.dataserver.storage.ForwardingStore;
import org.gtstore.dataserver.storage.RocksDbStore;
import org.gtstore.dataserver.storage.StoreBatch;
import org.gtstore.proto.Durability;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.PutResponse;
import org.gtstore.proto.Update;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durability modes on three real data servers in one JVM (chain s1 -> s2 -> s3): in the
 * fsync mode a replica forwards a put only once it has synced the batch that holds it, the put
 * is answered only once every replica has, and one sync covers many writes; in the replicated
 * mode nothing is synced. Each server's store is a RocksDB store watched by
 * {@link SyncWatchingStore}, which can hold the sync that covers a chosen key until the test
 * releases it, so the test sees the chain wait at each replica in turn.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DataServerDurabilityTest {
    private static final int PARTITIONS = 8;
    private static final KeyPartitioner PARTITIONER = new KeyPartitioner(PARTITIONS);
    private static final List<String> CHAIN = List.of("s1", "s2", "s3");

    @TempDir
    Path dir;

    private FakeMetadataService meta;
    private LocalDataServers local;
    private final Map<String, SyncWatchingStore> stores = new ConcurrentHashMap<>();

    /**
     * A RocksDB store that remembers which batch applied each key and what is synced, and holds
     * the first sync that covers the key given to {@link #holdSyncOf} until {@link #release}.
     */
    static final class SyncWatchingStore extends ForwardingStore {
        private final Map<ByteString, Long> journalOfKey = new ConcurrentHashMap<>();
        private final Semaphore released = new Semaphore(0);
        private volatile long lastApplied;
        private volatile long lastSynced;
        private volatile ByteString holdFor;
        private volatile boolean holding;

        SyncWatchingStore(Path path) {
            super(RocksDbStore.open(path));
        }

        @Override
        public void apply(StoreBatch batch) {
            super.apply(batch);
            for (Update u : batch.updates()) {
                journalOfKey.put(u.getKey(), batch.journal());
            }
            lastApplied = batch.journal();
        }

        @Override
        public void sync() {
            long upTo = lastApplied;
            ByteString key = holdFor;
            Long journal = key == null ? null : journalOfKey.get(key);
            if (journal != null && journal <= upTo) {
                holdFor = null;
                holding = true;
                released.acquireUninterruptibly();
                holding = false;
            }
            super.sync();
            lastSynced = upTo;
        }

        /** The next sync that covers {@code key} waits for {@link #release}. */
        void holdSyncOf(ByteString key) {
            holdFor = key;
        }

        /** True while a held sync waits. */
        boolean holding() {
            return holding;
        }

        void release() {
            released.release();
        }

        boolean applied(ByteString key) {
            return journalOfKey.containsKey(key);
        }

        /** True if the batch that applied {@code key} was synced. */
        boolean synced(ByteString key) {
            Long j = journalOfKey.get(key);
            return j != null && j <= lastSynced;
        }
    }

    @AfterEach
    void stopAll() throws Exception {
        if (local != null) {
            local.close();
        }
        if (meta != null) {
            meta.close();
        }
    }

    private TestClient chainOfThree(Durability durability) throws Exception {
        meta = new FakeMetadataService(3000, 100);
        meta.durability = durability;
        local = new LocalDataServers(dir);
        for (String id : CHAIN) {
            local.start(id, meta, path -> stores.computeIfAbsent(id,
                    k -> new SyncWatchingStore(path)));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> meta.addresses.size() == 3);
        meta.publish(1, PARTITIONS, p -> CHAIN);
        local.awaitEpoch(Duration.ofSeconds(10), 1, "s1", "s2", "s3");
        return local.client("durability-test").connect("s1", "s2", "s3");
    }

    private static PutRequest put(String key, String value) {
        ByteString k = ByteString.copyFrom(key, StandardCharsets.UTF_8);
        return PutRequest.newBuilder().setEpoch(1).setPartition(PARTITIONER.partitionOf(k))
                .setKey(k).setValue(ByteString.copyFrom(value, StandardCharsets.UTF_8)).build();
    }

    @Test
    void fsyncModeAnswersOnlyWhatEveryReplicaSyncedAndGroupsTheSyncs() throws Exception {
        TestClient client = chainOfThree(Durability.FSYNC);
        for (int i = 0; i < 5; i++) {
            PutRequest r = client.withIds(put("one-" + i, "v" + i));
            String name = r.getKey().toStringUtf8();
            CHAIN.forEach(id -> stores.get(id).holdSyncOf(r.getKey()));
            CompletableFuture<PutResponse> answer = client.putAsync("s1", r);
            for (int k = 0; k < CHAIN.size(); k++) {
                SyncWatchingStore at = stores.get(CHAIN.get(k));
                await().atMost(Duration.ofSeconds(10)).until(at::holding);
                assertFalse(answer.isDone(), name + " answered before " + CHAIN.get(k)
                        + " synced it");
                for (String later : CHAIN.subList(k + 1, CHAIN.size())) {
                    assertFalse(stores.get(later).applied(r.getKey()), name + " reached "
                            + later + " before " + CHAIN.get(k) + " synced it");
                }
                at.release();
            }
            PutResponse done = answer.get(10, TimeUnit.SECONDS);
            assertEquals(ErrorCode.OK, done.getCode(), done.getMessage());
            for (String id : CHAIN) {
                assertTrue(stores.get(id).synced(r.getKey()),
                        name + " answered before " + id + " synced it");
            }
        }
        long syncsBefore = local.server("s1").storeSyncs();
        List<PutRequest> burst = new ArrayList<>();
        List<CompletableFuture<PutResponse>> answers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            PutRequest r = client.withIds(put("burst-" + i, "v" + i));
            burst.add(r);
            answers.add(client.putAsync("s1", r));
        }
        for (int i = 0; i < burst.size(); i++) {
            PutResponse answer = answers.get(i).get(20, TimeUnit.SECONDS);
            assertEquals(ErrorCode.OK, answer.getCode(), answer.getMessage());
            for (String id : CHAIN) {
                assertTrue(stores.get(id).synced(burst.get(i).getKey()),
                        "a burst put answered before " + id + " synced it");
            }
        }
        long burstSyncs = local.server("s1").storeSyncs() - syncsBefore;
        assertTrue(burstSyncs > 0 && burstSyncs < 100,
                "200 puts in flight took " + burstSyncs + " syncs at the head");
    }

    @Test
    void replicatedModeNeverSyncs() throws Exception {
        TestClient client = chainOfThree(Durability.REPLICATED);
        for (int i = 0; i < 20; i++) {
            PutResponse answer = client.put("s1", client.withIds(put("k" + i, "v")));
            assertEquals(ErrorCode.OK, answer.getCode(), answer.getMessage());
        }
        for (String id : CHAIN) {
            assertEquals(0, local.server(id).storeSyncs(), id);
        }
    }
}
