package org.gtstore.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.gtstore.client.GetResult;
import org.gtstore.client.GtStoreClient;
import org.gtstore.client.internal.MetadataClient;
import org.gtstore.dataserver.storage.RocksDbStore;
import org.gtstore.dataserver.storage.StoredEntry;
import org.gtstore.proto.Chain;
import org.gtstore.proto.DataServiceGrpc;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.PartitionSeq;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;
import org.gtstore.proto.StatsRequest;
import org.gtstore.tests.history.History;
import org.gtstore.tests.history.Op;
import org.gtstore.tests.history.RegisterChecker;
import org.gtstore.tests.support.ClusterExtension;
import org.gtstore.tests.support.RecordedWorkload;
import org.gtstore.tests.support.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Restart in the old position ("restart and rejoin"), with real processes: a data
 * server killed with SIGKILL and started again on its data directory before the metadata
 * declares it dead keeps every chain position it had (head, middle and tail of different
 * partitions) and catches up through the chain (hello, re-sends, a copy in version order),
 * while clients keep reading and writing keys of those partitions.
 *
 * <p>Forcing the race: with the default timing a killed process is declared dead within a
 * fraction of a second (refused connection, probe, MarkDead), long before a JVM starts. The
 * metadata members therefore run with a restart grace ({@code --restart-grace-ms}, see
 * docs/contracts.md) and a failure timeout longer than any restart, so the new process
 * re-registers while the old incarnation is still live in the map. The test checks from the map
 * that this really happened (same chains, same chain epochs, never DEAD); a restart that lost
 * the race fails the test rather than passing vacuously.
 *
 * <p>Checks: the restarted server's applied seqs reach its chain neighbours', every member of
 * its chains ends with the same applied seqs and the same stored entries, the recorded history
 * (with a final read of every key) is linearizable, writes and reads of every affected partition
 * resume, and no client operation fails within its 60 s deadline.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RestartInPlaceIT {
    /**
     * Longer than a data server's restart (kill to registered) on a loaded 2-core machine by a
     * wide margin: 2.4-4.5 s when quiet, 10.4 s once beside other builds. It costs nothing when
     * the restart wins: the grace is never used up.
     */
    private static final long RESTART_GRACE_MS = 30_000;
    private static final List<String> METADATA_ARGS = List.of(
            "--failure-timeout-ms", "40000", "--lease-ms", "30000",
            "--restart-grace-ms", Long.toString(RESTART_GRACE_MS));

    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension(4, 3, METADATA_ARGS);

    private static final String VICTIM = "server2";
    /** Longer than the grace: an operation waiting for the restarted server does not fail. */
    private static final Duration CLIENT_DEADLINE = Duration.ofSeconds(60);
    private static final Duration RECOVERY = Duration.ofSeconds(90);
    private static final int KEYS_PER_PARTITION = 2;
    private static final int WRITES_AFTER_RESTART = 20;

    @Test
    void serverRestartedBeforeItIsDeclaredDeadKeepsItsPositionsAndCatchesUp() {
        TestCluster c = CLUSTER.cluster();
        c.launcher().awaitReady(RECOVERY);
        PartitionMap before = map();
        KeyPartitioner partitioner = new KeyPartitioner(before.getSettings().getPartitions());
        // One partition per position of the victim, and one without it.
        Map<String, Integer> partitionByRole = new LinkedHashMap<>();
        partitionByRole.put("head", partitionWhere(before, ch -> indexOf(ch, VICTIM) == 0));
        partitionByRole.put("middle", partitionWhere(before, ch -> indexOf(ch, VICTIM) == 1));
        partitionByRole.put("tail", partitionWhere(before, ch -> indexOf(ch, VICTIM) == 2));
        partitionByRole.put("none", partitionWhere(before, ch -> indexOf(ch, VICTIM) < 0));
        Map<String, List<String>> keysByRole = new LinkedHashMap<>();
        partitionByRole.forEach((role, p) -> keysByRole.put(role,
                keysOfPartition(partitioner, p, "restart-" + role + "-")));
        List<String> keys = keysByRole.values().stream().flatMap(List::stream).toList();
        List<Integer> victimPartitions = before.getChainsList().stream()
                .filter(ch -> ch.getReplicasList().contains(VICTIM))
                .map(Chain::getPartition).toList();
        long incarnation = incarnationOf(before, VICTIM);

        ConcurrentLinkedQueue<String> causes = new ConcurrentLinkedQueue<>();
        try (MetadataClient meta = MetadataClient.create(c.metadataAddresses());
                MetadataClient.Watch watch = meta.watch(before.getEpoch() + 1,
                        m -> causes.add(m.getEpoch() + ": " + m.getCause()));
                RecordedWorkload w = RecordedWorkload.start(() -> c.client(CLIENT_DEADLINE),
                        keys, 4, 20_240_701L)) {
            awaitWrites(w, keysByRole, 0, "before the kill");

            long killNs = System.nanoTime();
            c.launcher().kill(VICTIM);
            c.launcher().restart(VICTIM, RECOVERY);
            long restartNs = System.nanoTime();

            // The launcher saw the new registration in the leader's map; a leader change since
            // could hand the read to a member that has not applied it yet, so wait for it.
            PartitionMap after = await(VICTIM + " to show its new incarnation in the map")
                    .atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(RestartInPlaceIT::map, m -> incarnationOf(m, VICTIM) > incarnation);
            assertKeptItsPositions(before, after, incarnation, causes);

            // Catch-up: what the others had when it came back, it gets.
            Map<Integer, Long> target = othersApplied(after, victimPartitions);
            await("the restarted " + VICTIM + " to catch up").atMost(RECOVERY)
                    .pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> assertCaughtUp(applied(c, VICTIM), target));
            long caughtUpNs = System.nanoTime();
            awaitWrites(w, keysByRole, restartNs, "after the restart");
            long endNs = System.nanoTime();
            w.close();

            finalReads(c, keys, w.history());
            List<Op> ops = w.history().ops();
            Optional<RegisterChecker.Violation> violation = RegisterChecker.check(ops);
            System.out.printf("[restart-in-place] %s restarted in %d ms (kill to registered),"
                    + " caught up %d ms later; longest write gap after the kill: %s; %d ops ok,"
                    + " %d failed %s, %d acknowledged writes; map epochs during the run: %s%n",
                    VICTIM, ms(restartNs - killNs), ms(caughtUpNs - restartNs),
                    gaps(ops, keysByRole, killNs, endNs), w.succeeded(), w.failed(),
                    w.sampleFailures(), w.history().acknowledgedWrites(), causes);
            assertFalse(violation.isPresent(), () -> violation.get().toString());
            assertEquals(0, w.failed(), "client operations failed: " + w.sampleFailures());
            assertTrue(w.history().acknowledgedWrites() > 0, "no write was acknowledged");
            PartitionMap end = map();
            assertEquals(members(before), members(end),
                    "the chains changed after the restart: " + causes);
            assertTrue(end.getChainsList().stream().noneMatch(ch -> ch.getSettling()),
                    "chains still settling: " + causes);
        }
        awaitSameAppliedSeqs(c, victimPartitions);
        c.launcher().stop();
        System.out.println("[restart-in-place] catch-up seen in the logs: "
                + catchUpLines(c, before));
        assertSameStoredEntries(c, before, victimPartitions);
    }

    /**
     * The chain catch-up the servers logged (re-sends of un-acked updates and copies from the
     * store, to or from the victim): shows which paths this run took.
     */
    private static List<String> catchUpLines(TestCluster c, PartitionMap m) {
        List<String> out = new ArrayList<>();
        for (ServerInfo s : m.getServersList()) {
            try (var lines = Files.lines(c.launcher().logFile(s.getId()))) {
                lines.filter(l -> l.contains("re-sent ") || l.contains(" is behind what we hold"))
                        .filter(l -> s.getId().equals(VICTIM) || l.contains(VICTIM))
                        .forEach(out::add);
            } catch (IOException | UncheckedIOException e) {
                out.add(s.getId() + ": unreadable log: " + e);
            }
        }
        return out;
    }

    // ---- the map ----

    /**
     * Every chain's members as a set: the chains the victim headed settle after its restart, and
     * with equal tips keep their order, but a replica that held more may lead them now.
     */
    private static List<Set<String>> members(PartitionMap m) {
        return m.getChainsList().stream()
                .map(c -> Set.copyOf(c.getReplicasList()))
                .toList();
    }

    /**
     * The victim re-registered (a new incarnation) and is not dead, and every chain has the
     * members it had before the kill: no MarkDead happened in between (it would have removed
     * the victim from its chains).
     */
    private static void assertKeptItsPositions(PartitionMap before, PartitionMap after,
            long incarnation, ConcurrentLinkedQueue<String> causes) {
        ServerInfo victim = after.getServersList().stream()
                .filter(s -> s.getId().equals(VICTIM)).findFirst().orElseThrow();
        assertNotEquals(ServerState.DEAD, victim.getState(), "the restarted " + VICTIM
                + " is dead: " + causes);
        assertTrue(victim.getIncarnation() > incarnation, VICTIM + " did not register again: "
                + victim);
        assertEquals(members(before), members(after), VICTIM + " lost the race:"
                + " it was declared dead before it restarted, so its chains changed (epochs: "
                + causes + ")");
        assertTrue(causes.stream().noneMatch(s -> s.contains(VICTIM + " dead")),
                "map changes: " + causes);
    }

    private interface ChainTest {
        boolean test(List<String> chain);
    }

    private static int partitionWhere(PartitionMap m, ChainTest t) {
        return m.getChainsList().stream().filter(ch -> t.test(ch.getReplicasList()))
                .map(Chain::getPartition).findFirst()
                .orElseThrow(() -> new AssertionError("no such partition in " + m));
    }

    private static int indexOf(List<String> chain, String id) {
        return chain.indexOf(id);
    }

    private static long incarnationOf(PartitionMap m, String id) {
        return m.getServersList().stream().filter(s -> s.getId().equals(id))
                .mapToLong(ServerInfo::getIncarnation).findFirst().orElseThrow();
    }

    private static List<String> keysOfPartition(KeyPartitioner p, int partition, String prefix) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; keys.size() < KEYS_PER_PARTITION; i++) {
            String key = prefix + i;
            if (p.partitionOf(key.getBytes(StandardCharsets.UTF_8)) == partition) {
                keys.add(key);
            }
        }
        return keys;
    }

    /** The leader's map: it holds every change the group acknowledged. */
    private static PartitionMap map() {
        try (MetadataClient m = MetadataClient.create(CLUSTER.cluster().metadataAddresses())) {
            return m.getLeaderMap();
        }
    }

    // ---- applied seqs (GetStats) ----

    private static Map<Integer, Long> applied(TestCluster c, String id) {
        ManagedChannel channel = ManagedChannelBuilder
                .forTarget(c.launcher().serverAddress(id)).usePlaintext().build();
        try {
            return DataServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .getStats(StatsRequest.getDefaultInstance()).getAppliedList().stream()
                    .collect(Collectors.toMap(PartitionSeq::getPartition, PartitionSeq::getSeq));
        } finally {
            channel.shutdownNow();
        }
    }

    /** For each partition, the highest applied seq among its other members right now. */
    private static Map<Integer, Long> othersApplied(PartitionMap m, List<Integer> partitions) {
        TestCluster c = CLUSTER.cluster();
        Map<String, Map<Integer, Long>> byServer = new TreeMap<>();
        Map<Integer, Long> out = new TreeMap<>();
        for (int p : partitions) {
            for (String id : m.getChains(p).getReplicasList()) {
                if (!id.equals(VICTIM)) {
                    long seq = byServer.computeIfAbsent(id, s -> applied(c, s))
                            .getOrDefault(p, 0L);
                    out.merge(p, seq, Math::max);
                }
            }
        }
        return out;
    }

    private static void assertCaughtUp(Map<Integer, Long> mine, Map<Integer, Long> target) {
        List<String> behind = new ArrayList<>();
        target.forEach((p, seq) -> {
            long have = mine.getOrDefault(p, 0L);
            if (have < seq) {
                behind.add("p" + p + " " + have + "<" + seq);
            }
        });
        assertTrue(behind.isEmpty(), VICTIM + " is behind: " + behind);
    }

    /** Once the writes stopped, every member of each chain has applied the same seq. */
    private static void awaitSameAppliedSeqs(TestCluster c, List<Integer> partitions) {
        PartitionMap m = map();
        await("every member of " + VICTIM + "'s chains at the same applied seq")
                .atMost(RECOVERY).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                    Map<String, Map<Integer, Long>> byServer = new TreeMap<>();
                    List<String> differ = new ArrayList<>();
                    for (int p : partitions) {
                        Map<String, Long> seqs = new TreeMap<>();
                        for (String id : m.getChains(p).getReplicasList()) {
                            seqs.put(id, byServer.computeIfAbsent(id, s -> applied(c, s))
                                    .getOrDefault(p, 0L));
                        }
                        if (Set.copyOf(seqs.values()).size() != 1) {
                            differ.add("p" + p + " " + seqs);
                        }
                    }
                    assertTrue(differ.isEmpty(), "applied seqs differ: " + differ);
                });
    }

    /**
     * With the cluster stopped, every member of each of the victim's chains stores exactly the
     * same entries (key, value, version, tombstone): nothing was lost or left behind by the
     * catch-up.
     */
    private static void assertSameStoredEntries(TestCluster c, PartitionMap m,
            List<Integer> partitions) {
        Map<String, RocksDbStore> stores = new TreeMap<>();
        try {
            for (ServerInfo s : m.getServersList()) {
                stores.put(s.getId(), RocksDbStore.open(c.clusterDir().resolve(s.getId())
                        .resolve("data").resolve("rocksdb")));
            }
            for (int p : partitions) {
                Map<String, List<StoredEntry>> contents = new TreeMap<>();
                for (String id : m.getChains(p).getReplicasList()) {
                    List<StoredEntry> entries = new ArrayList<>();
                    stores.get(id).scan(p, entries::add);
                    contents.put(id, entries);
                }
                assertEquals(1, Set.copyOf(contents.values()).size(),
                        "partition " + p + " differs between its members: " + contents);
            }
        } finally {
            stores.values().forEach(RocksDbStore::close);
        }
    }

    // ---- the workload ----

    /**
     * Waits until every group of keys (the victim as head, middle, tail, and not in the chain)
     * has had {@link #WRITES_AFTER_RESTART} more writes acknowledged after {@code sinceNs}.
     */
    private static void awaitWrites(RecordedWorkload w, Map<String, List<String>> keysByRole,
            long sinceNs, String phase) {
        await("writes of every partition " + phase).atMost(RECOVERY)
                .pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                    List<Op> ops = w.history().ops();
                    Map<String, Long> counts = new LinkedHashMap<>();
                    keysByRole.forEach((role, keys) -> counts.put(role, ops.stream()
                            .filter(op -> op.kind() == Op.Kind.WRITE && !op.outcomeUnknown()
                                    && op.completedNs() > sinceNs && keys.contains(op.key()))
                            .count()));
                    assertTrue(counts.values().stream().allMatch(n -> n >= WRITES_AFTER_RESTART),
                            "acknowledged writes per position " + counts);
                });
    }

    /** Per position of the victim, the longest time without an acknowledged write. */
    private static Map<String, Long> gaps(List<Op> ops, Map<String, List<String>> keysByRole,
            long fromNs, long toNs) {
        Map<String, Long> out = new LinkedHashMap<>();
        keysByRole.forEach((role, keys) -> {
            List<Long> times = ops.stream().filter(op -> op.kind() == Op.Kind.WRITE
                    && !op.outcomeUnknown() && keys.contains(op.key())
                    && op.completedNs() >= fromNs && op.completedNs() <= toNs)
                    .map(Op::completedNs).sorted().toList();
            long previous = fromNs;
            long longest = 0;
            for (long t : times) {
                longest = Math.max(longest, t - previous);
                previous = t;
            }
            out.put(role, ms(Math.max(longest, toNs - previous)));
        });
        return out;
    }

    /** One more read of every key, after the workload, recorded in the same history. */
    private static void finalReads(TestCluster c, List<String> keys, History history) {
        try (GtStoreClient client = c.client(CLIENT_DEADLINE)) {
            for (String key : keys) {
                History.Pending p = history.invokeRead(key);
                GetResult r = client.get(key);
                p.ok(r.found() ? r.valueUtf8() : null);
            }
        }
    }

    private static long ms(long ns) {
        return TimeUnit.NANOSECONDS.toMillis(ns);
    }
}
