package org.gtstore.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.gtstore.client.MetadataClient;
import org.gtstore.proto.Chain;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;
import org.gtstore.tests.history.RegisterChecker;
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
 * every partition. Every operation succeeds but a few retries refused as too old (see
 * {@link #assertOnlyRetriesTooOld}), the history is linearizable, a watcher of the
 * map never sees a chain with fewer than K members, and at the end the servers hold replica
 * slots and heads within one of each other. A rolling restart keeps the history
 * linearizable. Bad operator input gets one line and changes nothing.
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
        KWatcher watcher = KWatcher.start(c);
        try (RecordedWorkload w = RecordedWorkload.start(() -> c.client(Duration.ofSeconds(30)),
                keys, 4, 7)) {
            awaitProgress(w);
            CliResult added = c.gtctl("cluster", "add-server", "--count", "2", "--wait");
            assertEquals(0, added.exitCode(), added.toString());
            assertTrue(added.out().get(added.out().size() - 1).startsWith("Balanced after"),
                    added.toString());
            System.out.println("[elastic] " + String.join("; ", added.out()));
            assertBalanced(map(), List.of(), "after adding server6, server7");
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
            assertBalanced(end, List.of(), "after draining and removing server1, server2");
            System.out.printf("[elastic] %d ops ok, %d failed %s; %d maps watched%n",
                    w.succeeded(), w.failed(), w.sampleFailures(), watcher.seen());
            assertOnlyRetriesTooOld(w);
            assertTrue(watcher.violations().isEmpty(), "chains below K: " + watcher.violations());
            Optional<RegisterChecker.Violation> violation =
                    RegisterChecker.check(w.history().ops());
            assertFalse(violation.isPresent(), () -> violation.get().toString());
            assertTrue(w.history().acknowledgedWrites() > 0, "no write was acknowledged");
        }
    }

    /**
     * {@code gtctl cluster rolling-restart} under four clients: every data server and then
     * every metadata member (the leader last) stops gracefully and comes back, one at a time;
     * no operation fails except retries refused as too old (outcome unknown), the history is
     * linearizable, and the cluster ends balanced. The longest pause in acknowledged writes
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
            CliResult r = c.gtctl("cluster", "rolling-restart");
            long endNs = System.nanoTime();
            assertEquals(0, r.exitCode(), r.toString());
            System.out.println("[rolling] " + String.join("; ", r.out()));
            awaitProgress(w);
            w.close();
            System.out.printf("[rolling] longest write gap %s; %d ops ok, %d failed %s%n",
                    w.longestWriteGapSpan(startNs, endNs), w.succeeded(), w.failed(),
                    w.sampleFailures());
            assertOnlyRetriesTooOld(w);
            Optional<RegisterChecker.Violation> violation =
                    RegisterChecker.check(w.history().ops());
            assertFalse(violation.isPresent(), () -> violation.get().toString());
        }
        assertBalanced(map(), List.of(), "after the rolling restart");
    }

    /**
     * No operation failed but a few retries refused as too old. A retried put that reaches a
     * head whose memory of applied requests starts after the put's first attempt is refused
     * (RETRY_TOO_OLD, outcome unknown, nothing applied twice): a move or a restart makes a
     * server head whose memory of the partition starts at its copy, so a retry in flight
     * across the hand-over can meet one. Any other failure fails the test.
     */
    private static void assertOnlyRetriesTooOld(RecordedWorkload w) {
        assertTrue(w.failed() <= 20, w.failed() + " failed (the sample holds 20): "
                + w.sampleFailures());
        assertTrue(w.sampleFailures().stream().allMatch(f -> f.contains("RETRY_TOO_OLD")),
                "failed operations: " + w.sampleFailures());
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

    /** Every live server holds slots and heads within one of the others; no copy under way. */
    private static void assertBalanced(PartitionMap map, List<String> excluded, String when) {
        Map<String, Integer> slots = new TreeMap<>();
        Map<String, Integer> heads = new TreeMap<>();
        for (ServerInfo s : map.getServersList()) {
            if (s.getState() != ServerState.DEAD && !excluded.contains(s.getId())) {
                slots.put(s.getId(), 0);
                heads.put(s.getId(), 0);
            }
        }
        for (Chain ch : map.getChainsList()) {
            assertEquals(K, ch.getReplicasCount(), when + ": " + ch);
            assertTrue(ch.getJoining().isEmpty() && ch.getLeaving().isEmpty(), when + ": " + ch);
            ch.getReplicasList().forEach(id -> slots.merge(id, 1, Integer::sum));
            heads.merge(ch.getReplicas(0), 1, Integer::sum);
        }
        assertTrue(spread(slots) <= 1, when + ": slots " + slots);
        assertTrue(spread(heads) <= 1, when + ": heads " + heads);
    }

    private static int spread(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).max().orElse(0)
                - counts.values().stream().mapToInt(Integer::intValue).min().orElse(0);
    }

    private static void awaitProgress(RecordedWorkload w) {
        long target = w.succeeded() + 200;
        await("progress").atMost(WAIT)
                .pollInterval(Duration.ofMillis(50)).until(() -> w.succeeded() >= target);
    }

    private static PartitionMap map() {
        return ClusterProbe.map(CLUSTER.cluster());
    }

    /**
     * Watches every map the metadata publishes and records any chain with fewer than K
     * members: a move must add before it sheds.
     */
    private static final class KWatcher implements AutoCloseable {
        private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean closed = new AtomicBoolean();
        private final AtomicLong seen = new AtomicLong();
        private MetadataClient client;
        private MetadataClient.Watch watch;

        static KWatcher start(TestCluster c) {
            KWatcher w = new KWatcher();
            w.client = MetadataClient.create(c.metadataAddresses());
            w.watch = w.client.watch(0, new MetadataClient.MapListener() {
                @Override
                public void onMap(PartitionMap map) {
                    w.check(map);
                }

                @Override
                public void onConnectionLost(String address, String reason) {
                }
            });
            return w;
        }

        private void check(PartitionMap map) {
            seen.incrementAndGet();
            for (Chain ch : map.getChainsList()) {
                if (ch.getReplicasCount() < K && violations.size() < 10) {
                    violations.add("epoch " + map.getEpoch() + " (" + map.getCause() + "): "
                            + ch.getPartition() + "=" + ch.getReplicasList());
                }
            }
        }

        long seen() {
            return seen.get();
        }

        List<String> violations() {
            return List.copyOf(violations);
        }

        @Override
        public void close() throws Exception {
            if (closed.compareAndSet(false, true)) {
                watch.close();
                client.close();
            }
        }
    }
}
