package org.gtstore.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gtstore.client.BatchResult;
import org.gtstore.client.GetResult;
import org.gtstore.client.GtStoreClient;
import org.gtstore.client.ScanPage;
import org.gtstore.proto.DataServiceGrpc;
import org.gtstore.proto.StatsRequest;
import org.gtstore.tests.support.CliResult;
import org.gtstore.tests.support.ClusterExtension;
import org.gtstore.tests.support.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Times to live with real processes: keys put with a short TTL stop being read once it has
 * passed, are deleted on every replica through the chains (the replicas' live-key counts come
 * to K times the keys a scan sees), and never come back when a server holding them is killed, its partitions
 * copied to a spare, and it restarts on its old data. Keys with a long TTL or none stay.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TtlIT {
    private static final int KEYS = 100;
    private static final int K = 3;
    private static final Duration SHORT = Duration.ofSeconds(4);

    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension(
            () -> TestCluster.startWithPartitions(4, K, 16));

    @Test
    void shortTtlKeysExpireAreDeletedOnEveryReplicaAndNeverComeBack() throws Exception {
        TestCluster c = CLUSTER.cluster();
        try (GtStoreClient client = c.client(Duration.ofSeconds(30))) {
            for (int i = 0; i < KEYS; i++) {
                client.put("ttl-short-" + i, "s" + i, SHORT);
                client.put("ttl-long-" + i, "l" + i, Duration.ofHours(1));
                client.put("ttl-none-" + i, "n" + i);
            }
            long putAt = System.nanoTime();
            assertTrue(client.get("ttl-short-0").found(), "readable before its time");
            assertEquals(KEYS, scanCount(client, "ttl-short-"));
            // A member dies before the expiry: its partitions are copied to the spare with
            // their expiries.
            c.launcher().kill("server2");

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> countFound(client, "ttl-short-") == 0);
            long firstGoneMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - putAt);
            assertEquals(0, scanCount(client, "ttl-short-"), "a scan leaves them out");
            // Deleted through the chains: every replica holds exactly the keys a scan sees
            // (K copies of each), and none of the expired ones.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> liveKeysHeld(c) == (long) K * scanCount(client, ""));

            c.launcher().restart("server2", Duration.ofSeconds(90));
            try {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .until(() -> liveKeysHeld(c) == (long) K * scanCount(client, ""));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("live keys on the replicas " + liveKeysHeld(c)
                        + ", keys a scan sees " + scanCount(client, "") + "; per server "
                        + perServer(c), e);
            }
            assertEquals(0, countFound(client, "ttl-short-"), "none came back");
            assertEquals(KEYS, countFound(client, "ttl-long-"));
            assertEquals(KEYS, countFound(client, "ttl-none-"));
            assertEquals(KEYS, scanCount(client, "ttl-long-"));
            System.out.printf("[ttl] %d keys with a %d s TTL: all gone from reads %d ms after"
                    + " the last put, deleted on all %d replicas; %d with a long TTL or none"
                    + " kept across a kill, a copy and a restart%n", KEYS, SHORT.toSeconds(),
                    firstGoneMs, K, 2 * KEYS);
        }
    }

    @Test
    void gtctlPutWithATtl() {
        TestCluster c = CLUSTER.cluster();
        CliResult put = c.gtctl("put", "cli-ttl", "v", "--ttl", "2s");
        assertEquals(0, put.exitCode(), put.toString());
        assertTrue(put.out().get(0).startsWith("OK, server"), put.toString());
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> c.gtctl("get", "cli-ttl").exitCode() == 1);
        assertEquals(List.of("cli-ttl, NOT_FOUND"), c.gtctl("get", "cli-ttl").out());
        CliResult bad = c.gtctl("put", "cli-ttl", "v", "--ttl", "soon");
        assertEquals(2, bad.exitCode());
        assertFalse(bad.err().isEmpty());
    }

    /** Keys of the prefix found, or -1 if a read failed (the test waits or fails on it). */
    private static int countFound(GtStoreClient client, String prefix) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
            keys.add(prefix + i);
        }
        BatchResult<GetResult> all = client.getAll(keys);
        if (!all.allSucceeded()) {
            return -1;
        }
        int found = 0;
        for (GetResult r : all.succeeded().values()) {
            if (r.found()) {
                found++;
            }
        }
        return found;
    }

    private static int scanCount(GtStoreClient client, String prefix) {
        int n = 0;
        String cursor = null;
        do {
            ScanPage page = client.scan(prefix, cursor, 1_000);
            n += page.entries().size();
            cursor = page.nextCursor().orElse(null);
        } while (cursor != null);
        return n;
    }

    private static java.util.Map<String, String> perServer(TestCluster c) {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        for (String id : c.launcher().serverIds()) {
            if (c.launcher().isRunning(id)) {
                ManagedChannel channel = ManagedChannelBuilder
                        .forTarget(c.launcher().serverAddress(id)).usePlaintext().build();
                try {
                    var s = DataServiceGrpc.newBlockingStub(channel)
                            .withDeadlineAfter(5, TimeUnit.SECONDS)
                            .getStats(StatsRequest.getDefaultInstance());
                    out.put(id, s.getKeysHeld() + " keys, applied " + s.getAppliedList()
                            .stream().map(a -> a.getPartition() + ":" + a.getSeq()).toList());
                } finally {
                    channel.shutdownNow();
                }
            }
        }
        return out;
    }

    /** Live keys (not deleted, expired ones not yet deleted included) on every running server. */
    private static long liveKeysHeld(TestCluster c) {
        long total = 0;
        for (String id : c.launcher().serverIds()) {
            if (!c.launcher().isRunning(id)) {
                continue;
            }
            ManagedChannel channel = ManagedChannelBuilder
                    .forTarget(c.launcher().serverAddress(id)).usePlaintext().build();
            try {
                total += DataServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(5, TimeUnit.SECONDS)
                        .getStats(StatsRequest.getDefaultInstance()).getKeysHeld();
            } finally {
                channel.shutdownNow();
            }
        }
        return total;
    }
}
