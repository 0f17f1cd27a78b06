package org.gtstore.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.gtstore.client.GetResult;
import org.gtstore.client.GtStoreClient;
import org.gtstore.client.PutResult;
import org.gtstore.gtctl.cluster.ClusterFile;
import org.gtstore.tests.support.CliResult;
import org.gtstore.tests.support.ClusterExtension;
import org.gtstore.tests.support.TestCluster;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Operator mistakes get one clear line and change nothing (an unknown server id, restarting a
 * live server, starting a cluster where one runs, K larger than N, another durability for an
 * existing cluster), and a whole cluster stopped, or killed with SIGKILL, then started again on
 * the same directory brings every acknowledged value back. The cluster runs in the fsync
 * durability mode (the metadata flag that {@code cluster start --durability fsync} passes).
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterLifecycleIT {
    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension(3, 2,
            List.of("--durability", "fsync"));

    @Test
    @Order(1)
    void operatorMistakesGetOneLineAndChangeNothing() {
        TestCluster c = CLUSTER.cluster();
        ClusterFile before = c.launcher().cluster();

        c.gtctl("cluster", "kill", "server9").assertOneErrorLine("server1");
        c.gtctl("cluster", "kill", "nobody").assertOneErrorLine("server1");
        c.gtctl("cluster", "restart", "server2").assertOneErrorLine("server2");
        c.gtctl("cluster", "start", "--nodes", "3", "--rep", "2").assertOneErrorLine("running");
        TestCluster.runGtctl("", "cluster", "start", "--nodes", "2", "--rep", "3", "--dir",
                c.clusterDir().resolveSibling("k-too-big").toString()).assertOneErrorLine("3");
        c.gtctl("cluster", "start", "--durability", "replicated")
                .assertOneErrorLine("--durability fsync");

        assertEquals(before, ClusterFile.read(c.clusterDir()).orElseThrow(), "cluster.json kept");
        for (String id : before.memberIds()) {
            assertTrue(c.launcher().isRunning(id), id + " still running");
        }
        assertFalse(c.clusterDir().resolveSibling("k-too-big").toFile().exists(),
                "nothing created for K > N");
    }

    @Test
    @Order(2)
    void statusShowsTheDurabilityTheClusterWasMadeWith() {
        TestCluster c = CLUSTER.cluster();
        CliResult table = c.gtctl("cluster", "status");
        assertEquals(0, table.exitCode(), table.toString());
        assertTrue(table.out().contains("Durability fsync"), table.toString());
        CliResult json = c.gtctl("cluster", "status", "--json");
        assertEquals(0, json.exitCode(), json.toString());
        assertTrue(String.join("", json.out()).strip().endsWith(",\"durability\":\"fsync\"}"),
                json.toString());
    }

    @Test
    @Order(3)
    void stopThenStartBringsEveryAcknowledgedValueBack() {
        TestCluster c = CLUSTER.cluster();
        Map<String, String> written = writeKeys(c, "stop-", 500);
        CliResult stop = c.gtctl("cluster", "stop");
        assertEquals(0, stop.exitCode(), stop.toString());
        CliResult start = c.gtctl("cluster", "start");
        assertEquals(0, start.exitCode(), start.toString());
        assertAllReadable(c, written);
    }

    @Test
    @Order(4)
    void killingEveryProcessThenStartingBringsEveryAcknowledgedValueBack() {
        TestCluster c = CLUSTER.cluster();
        Map<String, String> written = writeKeys(c, "kill-", 500);
        for (String id : c.launcher().cluster().memberIds()) {
            c.launcher().kill(id); // SIGKILL: no shutdown hook, no flush
        }
        CliResult start = c.gtctl("cluster", "start");
        assertEquals(0, start.exitCode(), start.toString());
        assertAllReadable(c, written);
    }

    /**
     * A power cut of every machine, as the fsync mode sees it: its data servers keep their
     * unsynced log in memory, so a SIGKILL loses exactly what a power cut would, and every
     * process is frozen at the same instant first (one {@code kill -STOP}), so none answers
     * after another stopped. Every put
     * answered OK before or after the kill must be readable once the cluster is started again.
     */
    @Test
    @Order(5)
    void killingEveryProcessWhileWritingKeepsEveryAcknowledgedWrite() throws Exception {
        TestCluster c = CLUSTER.cluster();
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        Queue<CompletableFuture<PutResult>> puts = new ConcurrentLinkedQueue<>();
        try (GtStoreClient client = c.client(Duration.ofSeconds(3))) {
            Semaphore inFlight = new Semaphore(64);
            Thread writer = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    inFlight.acquireUninterruptibly();
                    String key = "cut-" + i;
                    String value = "value-" + i;
                    puts.add(client.putAsync(key, value).whenComplete((r, t) -> {
                        if (t == null) {
                            acknowledged.put(key, value);
                        }
                        inFlight.release();
                    }));
                }
            }, "cut-writer");
            writer.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 3000);
            PowerCutIT.freezeThenKillEverything(c);
            stop.set(true);
            writer.join(TimeUnit.SECONDS.toMillis(30));
            CompletableFuture.allOf(puts.toArray(new CompletableFuture<?>[0]))
                    .handle((v, t) -> null).get(60, TimeUnit.SECONDS);
        }
        CliResult start = c.gtctl("cluster", "start");
        assertEquals(0, start.exitCode(), start.toString());
        assertAllReadable(c, acknowledged);
    }

    private static Map<String, String> writeKeys(TestCluster c, String prefix, int count) {
        Map<String, String> written = new LinkedHashMap<>();
        try (GtStoreClient client = c.client(Duration.ofSeconds(20))) {
            List<CompletableFuture<PutResult>> puts = new java.util.ArrayList<>();
            for (int i = 0; i < count; i++) {
                String key = prefix + i;
                String value = "value-" + i + "-" + System.nanoTime();
                written.put(key, value);
                puts.add(client.putAsync(key, value));
            }
            puts.forEach(CompletableFuture::join);
        }
        return written;
    }

    private static void assertAllReadable(TestCluster c, Map<String, String> written) {
        try (GtStoreClient client = c.client(Duration.ofSeconds(30))) {
            for (Map.Entry<String, String> e : written.entrySet()) {
                GetResult r = client.get(e.getKey());
                assertTrue(r.found(), "lost " + e.getKey());
                assertEquals(e.getValue(), r.valueUtf8(), "value of " + e.getKey());
            }
        }
    }

}
