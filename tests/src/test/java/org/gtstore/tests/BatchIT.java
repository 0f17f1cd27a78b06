package org.gtstore.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.gtstore.client.BatchResult;
import org.gtstore.client.GetResult;
import org.gtstore.client.GtStoreClient;
import org.gtstore.client.PutResult;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.tests.support.CliResult;
import org.gtstore.tests.support.ClusterExtension;
import org.gtstore.tests.support.ClusterProbe;
import org.gtstore.tests.support.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Batches across every partition with a server killed halfway: {@code putAll} of 3,000 keys
 * in six batches overwrites every key while the test kills a data server during the third.
 * Every key reports its own outcome; a key reported written reads back exactly its new value,
 * and a key that failed reads its old value or its new one whole, never anything else; a
 * {@code getAll} of every key answers each. {@code gtctl mput} and {@code mget} print one line
 * per key in order.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BatchIT {
    private static final int PARTITIONS = 64;

    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension(
            () -> TestCluster.startWithPartitions(5, 3, PARTITIONS));

    @Test
    void everyKeyOfABatchHasItsOwnOutcomeThroughAServerDeath() throws Exception {
        TestCluster c = CLUSTER.cluster();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            keys.add("batch-" + i);
        }
        KeyPartitioner partitioner = new KeyPartitioner(PARTITIONS);
        Set<Integer> partitions = new HashSet<>();
        keys.forEach(k -> partitions.add(partitioner.partitionOf(
                k.getBytes(StandardCharsets.UTF_8))));
        assertEquals(PARTITIONS, partitions.size(), "the keys reach every partition");
        try (GtStoreClient client = c.client(Duration.ofSeconds(30))) {
            BatchResult<PutResult> first = client.putAll(values(keys, "old-"));
            assertTrue(first.allSucceeded(), first.toString());
            assertEquals(keys, first.keys(), "in the order given");

            Map<String, Boolean> reportedOk = new LinkedHashMap<>();
            for (int b = 0; b < 6; b++) {
                List<String> part = keys.subList(b * 500, (b + 1) * 500);
                CompletableFuture<BatchResult<PutResult>> batch =
                        client.putAllAsync(values(part, "new-"));
                if (b == 2) {
                    c.launcher().kill("server2");
                }
                BatchResult<PutResult> r = batch.get(60, TimeUnit.SECONDS);
                assertEquals(part, r.keys());
                assertEquals(part.size(), r.succeeded().size() + r.failed().size(),
                        "every key has an outcome");
                part.forEach(k -> reportedOk.put(k, r.result(k).isPresent()));
            }

            BatchResult<GetResult> read = client.getAll(keys);
            assertTrue(read.allSucceeded(), read.toString());
            long failed = reportedOk.values().stream().filter(ok -> !ok).count();
            for (String k : keys) {
                String v = read.result(k).orElseThrow().valueUtf8();
                if (reportedOk.get(k)) {
                    assertEquals("new-" + k, v, "an acknowledged write reads back whole");
                } else {
                    assertTrue(v.equals("old-" + k) || v.equals("new-" + k), k + " read " + v);
                }
            }
            System.out.printf("[batch] %d keys over %d partitions; %d of 3,000 overwrites failed"
                    + " across the death of server2%n", keys.size(), partitions.size(), failed);
        }
        c.launcher().restart("server2");
        c.launcher().awaitReady(Duration.ofSeconds(90));
    }

    @Test
    void gtctlPrintsOneLinePerKeyInOrder() {
        TestCluster c = CLUSTER.cluster();
        CliResult put = c.gtctl("mput", "m-b", "2", "m-a", "1");
        assertEquals(0, put.exitCode(), put.toString());
        assertEquals(2, put.out().size(), put.toString());
        assertTrue(put.out().stream().allMatch(l -> l.startsWith("OK, server")), put.toString());
        CliResult get = c.gtctl("mget", "m-a", "m-missing", "m-b");
        assertEquals(1, get.exitCode(), "one key is missing: " + get);
        assertEquals(3, get.out().size(), get.toString());
        assertTrue(get.out().get(0).startsWith("m-a, 1, server"), get.toString());
        assertEquals("m-missing, NOT_FOUND", get.out().get(1));
        assertTrue(get.out().get(2).startsWith("m-b, 2, server"), get.toString());
        assertEquals(PARTITIONS, ClusterProbe.map(c).getChainsCount());
    }

    private static Map<String, String> values(List<String> keys, String prefix) {
        Map<String, String> m = new LinkedHashMap<>();
        keys.forEach(k -> m.put(k, prefix + k));
        return m;
    }
}
