package org.gtstore.dataserver.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.gtstore.proto.Chain;
import org.gtstore.proto.DataServiceGrpc;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetResponse;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.PutResponse;
import org.gtstore.proto.ReportCaughtUpRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restoring K over real gRPC with RocksDB stores and a fake metadata service that plays the
 * leader's part (StartCopy, then FinishCopy once the tails report): a killed server's partitions
 * get a joining replica, the tails copy them while serving, report them caught up, and after
 * the flip every key is read from the new tails. Also: a retried put that reaches a restarted
 * server is not applied twice.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DataServerRestoreTest {
    private static final Logger LOG = LoggerFactory.getLogger(DataServerRestoreTest.class);
    private static final int PARTITIONS = 16;
    private static final KeyPartitioner PARTITIONER = new KeyPartitioner(PARTITIONS);

    @TempDir
    Path dir;

    private FakeMetadataService meta;
    private LocalDataServers local;

    private DataServer startServer(String id) throws Exception {
        if (local == null) {
            local = new LocalDataServers(dir);
        }
        return local.start(id, meta);
    }

    private ManagedChannel channel(String id) {
        return local.channel(id);
    }

    private void stopServer(String id) {
        local.stop(id);
    }

    private static ByteString bytes(String s) {
        return ByteString.copyFrom(s, StandardCharsets.UTF_8);
    }

    private static PutRequest put(long epoch, String key, String value, String client, long id) {
        ByteString k = bytes(key);
        return PutRequest.newBuilder().setEpoch(epoch).setPartition(PARTITIONER.partitionOf(k))
                .setKey(k).setValue(bytes(value)).setClientId(client).setRequestId(id).build();
    }

    private GetResponse get(String server, long epoch, String key) throws Exception {
        return local.get(server, PARTITIONER, epoch, key);
    }

    private void awaitEpoch(long epoch, String... ids) {
        local.awaitEpoch(Duration.ofSeconds(20), epoch, ids);
    }

    /** Writes keys key0..key(n-1) through the heads of {@code map}, 256 in flight. */
    private void writeAll(PartitionMap map, int n, String prefix) throws Exception {
        TestClient writer = local.client("writer");
        Semaphore window = new Semaphore(256);
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<String> firstError = new AtomicReference<>();
        for (int i = 0; i < n; i++) {
            String key = prefix + i;
            int p = PARTITIONER.partitionOf(bytes(key));
            String head = map.getChains(p).getReplicas(0);
            window.acquire();
            writer.putAsync(head, put(map.getEpoch(), key, "value-" + key, "writer", i + 1))
                    .orTimeout(30, TimeUnit.SECONDS).whenComplete((r, t) -> {
                        if (t != null || r.getCode() != ErrorCode.OK) {
                            failed.incrementAndGet();
                            firstError.compareAndSet(null, t != null ? t.toString()
                                    : r.getCode() + " " + r.getMessage());
                        }
                        window.release();
                    });
        }
        window.acquire(256);
        window.release(256);
        assertEquals(0, failed.get(), "failed puts, first: " + firstError.get());
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

    @Test
    void killedServersPartitionsAreCopiedToJoiningReplicasAndServedByTheNewTails()
            throws Exception {
        long copyMs = restoreAfterKill(5_000);
        LOG.info("restore K over gRPC: 5000 keys, copies done {} ms after StartCopy", copyMs);
    }

    @Test
    void restoreOf100kKeysIsMeasured() throws Exception {
        // Not part of the default run (tens of seconds on 2 cores): -Dgt.perf=true.
        Assumptions.assumeTrue(Boolean.getBoolean("gt.perf"), "set -Dgt.perf=true");
        long copyMs = restoreAfterKill(100_000);
        LOG.info("restore K over gRPC: 100000 keys, copies done {} ms after StartCopy", copyMs);
    }

    /**
     * Three servers, K=2: writes {@code keys} keys, kills s3, removes it (epoch 2), adds a
     * joining replica to every chain it left (epoch 3), waits for every tail's ReportCaughtUp,
     * makes the joining replicas tails (epoch 4) and reads every key from its new tail.
     * Returns the time from StartCopy to the last report.
     */
    private long restoreAfterKill(int keys) throws Exception {
        meta = new FakeMetadataService(3000, 100);
        List<String> ids = List.of("s1", "s2", "s3");
        for (String id : ids) {
            startServer(id);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> meta.addresses.size() == 3);
        PartitionMap m1 = meta.publish(1, PARTITIONS,
                p -> List.of(ids.get(p % 3), ids.get((p + 1) % 3)));
        awaitEpoch(1, "s1", "s2", "s3");
        writeAll(m1, keys, "key");

        stopServer("s3");
        Map<Integer, List<String>> chains = new HashMap<>();
        Set<Integer> shortened = new HashSet<>();
        for (Chain c : m1.getChainsList()) {
            List<String> r = new ArrayList<>(c.getReplicasList());
            if (r.remove("s3")) {
                shortened.add(c.getPartition());
            }
            chains.put(c.getPartition(), r);
        }
        meta.addresses.remove("s3");
        meta.publishChains(2, PARTITIONS, p -> Chain.newBuilder().addAllReplicas(chains.get(p))
                .setEpoch(shortened.contains(p) ? 2 : 1));
        awaitEpoch(2, "s1", "s2");

        Map<Integer, String> joining = new HashMap<>();
        for (int p : shortened) {
            joining.put(p, chains.get(p).contains("s1") ? "s2" : "s1");
        }
        long start = System.nanoTime();
        meta.publishChains(3, PARTITIONS, p -> Chain.newBuilder().addAllReplicas(chains.get(p))
                .setJoining(joining.getOrDefault(p, ""))
                .setEpoch(shortened.contains(p) ? 3 : 1));
        await().atMost(Duration.ofSeconds(100)).until(() -> reported(joining).size()
                == joining.size());
        long copyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        for (ReportCaughtUpRequest r : meta.caughtUpReports) {
            assertEquals(chains.get(r.getPartition()).get(chains.get(r.getPartition()).size() - 1),
                    r.getReporter(), "the tail reports");
            assertTrue(r.getMapEpoch() >= 3);
        }
        // Heartbeats carry the progress (copied == total once done) until the map flips.
        await().atMost(Duration.ofSeconds(10)).until(() -> meta.progress.values().stream()
                .flatMap(List::stream).anyMatch(pr -> pr.getTotalKeys() > 0
                        && pr.getCopiedKeys() == pr.getTotalKeys()));

        for (int p : shortened) {
            chains.get(p).add(joining.get(p));
        }
        PartitionMap m4 = meta.publishChains(4, PARTITIONS, p -> Chain.newBuilder()
                .addAllReplicas(chains.get(p)).setEpoch(shortened.contains(p) ? 4 : 1));
        awaitEpoch(4, "s1", "s2");
        int checked = 0;
        for (int i = 0; i < keys; i++) {
            String key = "key" + i;
            int p = PARTITIONER.partitionOf(bytes(key));
            List<String> chain = m4.getChains(p).getReplicasList();
            String tail = chain.get(chain.size() - 1);
            GetResponse r = get(tail, 4, key);
            if (r.getCode() == ErrorCode.UNAVAILABLE) {
                // A fresh tail waits for the old tail's hello before serving.
                await().atMost(Duration.ofSeconds(10)).until(() -> get(tail, 4, key).getCode()
                        != ErrorCode.UNAVAILABLE);
                r = get(tail, 4, key);
            }
            assertEquals(ErrorCode.OK, r.getCode(), key + " at " + tail + ": " + r.getMessage());
            assertEquals("value-" + key, r.getValue().toStringUtf8());
            checked += shortened.contains(p) ? 1 : 0;
        }
        assertTrue(checked > keys / 3, "keys read from new tails: " + checked);
        return copyMs;
    }

    private Set<Integer> reported(Map<Integer, String> joining) {
        Set<Integer> out = new HashSet<>();
        for (ReportCaughtUpRequest r : meta.caughtUpReports) {
            if (r.getServerId().equals(joining.get(r.getPartition()))) {
                out.add(r.getPartition());
            }
        }
        return out;
    }

    @Test
    void retriedPutReachingARestartedHeadIsNotAppliedTwice() throws Exception {
        meta = new FakeMetadataService(3000, 50);
        startServer("s1");
        await().atMost(Duration.ofSeconds(10)).until(() -> meta.addresses.size() == 1);
        meta.publish(1, PARTITIONS, p -> List.of("s1"));
        awaitEpoch(1, "s1");
        PutRequest first = put(1, "k", "once", "client-x", 41);
        TestClient client = local.client("client-x");
        assertEquals(1, client.put("s1", first).getVersion());
        assertEquals(2, client.put("s1", put(1, "k", "twice", "client-x", 42)).getVersion());

        stopServer("s1");
        startServer("s1");
        awaitEpoch(1, "s1");
        PutResponse retry = client.put("s1", first);
        assertEquals(ErrorCode.OK, retry.getCode(), retry.getMessage());
        assertEquals(1, retry.getVersion(), "answered with the original version");
        GetResponse read = get("s1", 1, "k");
        assertEquals("twice", read.getValue().toStringUtf8(), "the retry was not applied");
        assertEquals(2, read.getVersion());
        assertEquals(3, client.put("s1", put(1, "k", "new", "client-x", 43)).getVersion());
    }
}
