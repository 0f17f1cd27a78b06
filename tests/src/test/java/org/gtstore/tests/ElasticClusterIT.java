package org.gtstore.tests;

import static org.awaitility.Awaitility.await;
import static org.gtstore.tests.support.ClusterChecks.assertBalanced;
import static org.gtstore.tests.support.ClusterChecks.assertLinearizable;
import static org.gtstore.tests.support.ClusterChecks.assertNoneFailed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;
import org.gtstore.tests.support.ChainSizeWatcher;
import org.gtstore.tests.support.CliResult;
import org.gtstore.tests.support.ClusterExtension;
import org.gtstore.tests.support.ClusterProbe;
import org.gtstore.tests.support.RecordedWorkload;
import org.gtstore.tests.support.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Growing and shrinking a running cluster, as a person types it: {@code gtctl cluster
 * add-server --count 2 --wait} takes 5 servers to 7, then {@code drain --wait} and {@code
 * remove} take two of the first ones away again, while four clients read and write keys of
 * every partition. Every operation succeeds (a server made head by a move remembers the
 * partition's requests as far back as the copy's source did, so no retry is refused as too
 * old), the history is linearizable, a watcher of the map never sees a chain with fewer than
 * K members, and at the end the servers hold replica slots and heads within one of each
 * other. A rolling restart fails no operation either and keeps the history linearizable. Bad
 * operator input gets one line and changes nothing.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ElasticClusterIT {
    private static final int K = 3;

    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension(
            () -> TestCluster.startWithPartitions(5, K, 64));

    private static final Duration WAIT = Duration.ofMinutes(3);

    @Test
    void growByTwoAndShrinkByDrainUnderWriters() throws Exception {
        TestCluster c = CLUSTER.cluster();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 48; i++) {
            keys.add("elastic-" + i);
        }
        try (ChainSizeWatcher watcher = ChainSizeWatcher.start(K, c.metadataAddresses());
             RecordedWorkload w = RecordedWorkload.start(
                     () -> c.client(Duration.ofSeconds(30)), keys, 4, 7)) {
            awaitProgress(w);
            CliResult added = c.gtctl("cluster", "add-server", "--count", "2", "--wait");
            assertEquals(0, added.exitCode(), added.toString());
            assertTrue(added.out().get(added.out().size() - 1).startsWith("Balanced after"),
                    added.toString());
            System.out.println("[elastic] " + String.join("; ", added.out()));
            assertBalanced(map(), K, "after adding server6, server7");
            awaitProgress(w);

            for (String id : List.of("server1", "server2")) {
                CliResult drained = c.gtctl("cluster", "drain", id, "--wait");
                assertEquals(0, drained.exitCode(), drained.toString());
                System.out.println("[elastic] " + String.join("; ", drained.out()));
                CliResult removed = c.gtctl("cluster", "remove", id);
                assertEquals(0, removed.exitCode(), removed.toString());
                assertEquals("Removed " + id, removed.line());
                awaitProgress(w);
            }
            w.close();
            watcher.close();
            PartitionMap end = map();
            assertEquals(List.of("server3", "server4", "server5", "server6", "server7"),
                    end.getServersList().stream().map(ServerInfo::getId).sorted().toList());
            assertBalanced(end, K, "after draining and removing server1, server2");
            System.out.printf("[elastic] %d ops ok, %d failed %s; %d maps watched%n",
                    w.succeeded(), w.failed(), w.sampleFailures(), watcher.seen());
            assertNoneFailed(w);
            assertTrue(watcher.violations().isEmpty(), "chains below K: " + watcher.violations());
            assertLinearizable(w);
        }
    }

    /**
     * {@code gtctl cluster rolling-restart} under four clients: every data server and then
     * every metadata member (the leader last) stops gracefully and comes back, one at a time;
     * no operation fails, the history is linearizable, and the cluster ends balanced. The longest pause in acknowledged writes
     * is printed.
     */
    @Test
    void rollingRestartUnderWriters() throws Exception {
        TestCluster c = CLUSTER.cluster();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 48; i++) {
            keys.add("rolling-" + i);
        }
        try (RecordedWorkload w = RecordedWorkload.start(() -> c.client(Duration.ofSeconds(30)),
                keys, 4, 11)) {
            awaitProgress(w);
            long startNs = System.nanoTime();
            // Three minutes a member: a member that cannot come back fails the test with the
            // cluster's logs long before the workload's history fills the heap.
            CliResult r = c.gtctl("cluster", "rolling-restart", "--wait-timeout-s", "180");
            long endNs = System.nanoTime();
            assertEquals(0, r.exitCode(), r.toString());
            System.out.println("[rolling] " + String.join("; ", r.out()));
            awaitProgress(w);
            w.close();
            System.out.printf("[rolling] longest write gap %s; %d ops ok, %d failed %s%n",
                    w.longestWriteGapSpan(startNs, endNs), w.succeeded(), w.failed(),
                    w.sampleFailures());
            System.out.println("[rolling] write gaps of 250 ms or more: "
                    + w.writeGaps(startNs, endNs, Duration.ofMillis(250)));
            assertNoneFailed(w);
            assertLinearizable(w);
        }
        assertBalanced(map(), K, "after the rolling restart");
    }

    @Test
    void badOperatorInputGetsOneLineAndChangesNothing() {
        TestCluster c = CLUSTER.cluster();
        long epoch = map().getEpoch();
        c.gtctl("cluster", "drain", "server99").assertOneErrorLine("unknown server server99");
        String live = map().getServersList().stream()
                .filter(s -> s.getState() != ServerState.DEAD).findFirst().orElseThrow().getId();
        c.gtctl("cluster", "remove", live).assertOneErrorLine("drain it first");
        c.gtctl("cluster", "remove", "server99").assertOneErrorLine("unknown server server99");
        c.gtctl("cluster", "add-server", "--count", "0").assertOneErrorLine("--count");
        assertEquals(epoch, map().getEpoch(), "a refused request moved the map");
    }

    private static void awaitProgress(RecordedWorkload w) {
        long target = w.succeeded() + 200;
        await("progress").atMost(WAIT)
                .pollInterval(Duration.ofMillis(50)).until(() -> w.succeeded() >= target);
    }

    private static PartitionMap map() {
        return ClusterProbe.map(CLUSTER.cluster());
    }
}
