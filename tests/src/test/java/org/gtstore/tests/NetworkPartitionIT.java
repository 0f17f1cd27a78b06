package org.gtstore.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.proto.PartitionMap;
import org.gtstore.tests.history.Op;
import org.gtstore.tests.history.RegisterChecker;
import org.gtstore.tests.support.ClusterExtension;
import org.gtstore.tests.support.ClusterProbe;
import org.gtstore.tests.support.NetnsNetwork;
import org.gtstore.tests.support.RecordedWorkload;
import org.gtstore.tests.support.RemoteWorkload;
import org.gtstore.tests.support.TestCluster;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Network partitions with real processes: every metadata member and data server runs in a
 * network namespace of its own, and so does a second client process (one of its threads only
 * reads, so it keeps asking the tail while writes wait). Clients on both sides read and write a
 * few keys of one partition while the test cuts off (a) its tail, (b) its head,
 * (c) the metadata leader together with the tail, each time with the second client on the
 * cut-off side; then it heals the partition. Cut links drop packets (timeouts, later "no route
 * to host"), so the metadata must wait out the leases before it reassigns.
 *
 * <p>Checked: the merged history of both clients is linearizable; nothing asked of the cut-off
 * side after its lease had surely run out completes OK before the heal (it serves nothing,
 * stale or not); the majority side makes progress during the cut; both clients make progress
 * after the heal and the cluster is whole again.
 *
 * <p>The metadata members run with election timeouts of 2-4 s, so a cut-off leader goes on
 * believing it leads for seconds: long enough that a tail on its side would keep serving well
 * past its lease if that leader went on granting leases without a majority.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class NetworkPartitionIT {
    private static NetnsNetwork net;

    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension(() -> {
        assumeTrue(NetnsNetwork.available(), "needs root: ip netns, veth and bridges");
        net = NetnsNetwork.create();
        net.add("client");
        return TestCluster.startInNetns(5, 3, List.of("--election-timeout-min-ms", "2000",
                "--election-timeout-max-ms", "4000"), net);
    });

    private static final Duration RECOVERY = Duration.ofSeconds(90);
    private static final int PROGRESS_OPS = 100;
    /** Lease 1.5 s from the send time of the last answered heartbeat, plus 1 s of slack. */
    private static final long FENCED_AFTER_MS = 2_500;
    /** The cut lasts at least this long, so the far side's clients keep trying while fenced. */
    private static final long MIN_CUT_MS = FENCED_AFTER_MS + 3_000;

    @BeforeEach
    void clusterIsWhole() {
        net.heal();
        CLUSTER.cluster().launcher().awaitReady(RECOVERY);
    }

    @Test
    void tailCutOff() throws Exception {
        runCut("tail", chain -> Set.of(chain.get(2)),
                (p, cut) -> !replicas(p).contains(cutServer(cut)));
    }

    @Test
    void headCutOff() throws Exception {
        runCut("head", chain -> Set.of(chain.get(0)),
                (p, cut) -> !replicas(p).contains(cutServer(cut)));
    }

    @Test
    void metadataLeaderCutOffWithTheTail() throws Exception {
        runCut("meta", chain -> Set.of(metadataLeader(), chain.get(2)), (p, cut) -> {
            String leader = currentLeader();
            return leader != null && !cut.contains(leader)
                    && !replicas(p).contains(cutServer(cut));
        });
    }

    private interface Victims {
        Set<String> choose(List<String> chain);
    }

    /** True once the cluster has worked around the cut: (partition, the cut members). */
    private interface CutFelt {
        boolean test(int partition, Set<String> cut);
    }

    private void runCut(String name, Victims victims, CutFelt felt) throws Exception {
        TestCluster c = CLUSTER.cluster();
        KeyPartitioner partitioner = new KeyPartitioner(map().getSettings().getPartitions());
        List<String> keys = keysOfOnePartition(partitioner, "cut-" + name + "-", 3);
        int partition = partitioner.partitionOf(keys.get(0).getBytes(StandardCharsets.UTF_8));
        List<String> chain = replicas(partition);
        assertEquals(3, chain.size(), "partition " + partition + " chain " + chain);
        Set<String> cut = victims.choose(chain);
        Set<String> island = new HashSet<>(cut);
        island.add("client");
        Path remoteDir = c.clusterDir().resolve("client-" + name);
        try (RecordedWorkload near = RecordedWorkload.start(
                () -> c.client(Duration.ofSeconds(30)), keys, 2, name.hashCode(), "a", 0);
             RemoteWorkload far = RemoteWorkload.start(
                List.of("ip", "netns", "exec", net.namespace("client")), remoteDir,
                c.metadataAddresses(), keys, 3, name.hashCode() + 1, "b", 1)) {
            try {
                awaitProgress(near, "before the cut");
                awaitProgress(far, "before the cut");
                long cutNs = System.nanoTime();
                net.cut(island);
                await(cut + " worked around").atMost(RECOVERY).pollInterval(Duration.ofMillis(200))
                        .until(() -> felt.test(partition, cut));
                awaitProgress(near, "on the majority side, " + cut + " cut off");
                await("the cut lasts").atMost(Duration.ofSeconds(MIN_CUT_MS / 1000 + 5))
                        .until(() -> System.nanoTime() - cutNs
                                > TimeUnit.MILLISECONDS.toNanos(MIN_CUT_MS));
                long healNs = System.nanoTime();
                net.heal();
                c.launcher().awaitReady(RECOVERY);
                awaitProgress(near, "after the heal");
                awaitProgress(far, "after the heal");
                near.close();
                List<Op> farOps = far.stop();
                check(name, chain, cut, near, farOps, cutNs, healNs);
            } catch (AssertionError | RuntimeException e) {
                System.err.println("---- far-side client log ----\n" + far.log());
                throw e;
            }
        }
    }

    private static void check(String name, List<String> chain, Set<String> cut,
            RecordedWorkload near, List<Op> farOps, long cutNs, long healNs) {
        long fencedNs = cutNs + TimeUnit.MILLISECONDS.toNanos(FENCED_AFTER_MS);
        List<Op> servedFenced = farOps.stream()
                .filter(op -> !op.outcomeUnknown() && op.invokedNs() > fencedNs
                        && op.completedNs() < healNs)
                .toList();
        long farOk = farOps.stream().filter(op -> !op.outcomeUnknown()).count();
        System.out.printf("[%s] cut off %s (chain %s) for %d ms: near side %d ok, %d failed;"
                + " far side %d ops (%d ok), %d served after its lease ran out%n", name, cut,
                chain, TimeUnit.NANOSECONDS.toMillis(healNs - cutNs), near.succeeded(),
                near.failed(), farOps.size(), farOk, servedFenced.size());
        assertTrue(servedFenced.isEmpty(), "the cut-off side served after its lease: "
                + servedFenced.subList(0, Math.min(5, servedFenced.size())));
        List<Op> all = RemoteWorkload.merge(near.history().ops(), farOps);
        Optional<RegisterChecker.Violation> violation = RegisterChecker.check(all);
        assertFalse(violation.isPresent(), () -> violation.get().toString());
    }

    /** The one data server among the cut members. */
    private static String cutServer(Set<String> cut) {
        return cut.stream().filter(id -> id.startsWith("server")).findFirst().orElseThrow();
    }

    private static void awaitProgress(RecordedWorkload w, String phase) {
        long target = w.succeeded() + PROGRESS_OPS;
        await("near-side progress " + phase).atMost(RECOVERY).pollInterval(Duration.ofMillis(50))
                .until(() -> w.succeeded() >= target);
    }

    private static void awaitProgress(RemoteWorkload w, String phase) {
        long target = w.succeeded() + PROGRESS_OPS;
        await("far-side progress " + phase).atMost(RECOVERY).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (!w.isAlive()) {
                        throw new AssertionError("far-side client exited: " + w.log());
                    }
                    return w.succeeded() >= target;
                });
    }

    private static List<String> keysOfOnePartition(KeyPartitioner p, String prefix, int count) {
        return ClusterProbe.keysOfOnePartition(p, prefix, count);
    }

    private static List<String> replicas(int partition) {
        return map().getChains(partition).getReplicasList();
    }

    private static PartitionMap map() {
        return ClusterProbe.map(CLUSTER.cluster());
    }

    private static String metadataLeader() {
        return ClusterProbe.metadataLeader(CLUSTER.cluster(), RECOVERY);
    }

    private static String currentLeader() {
        return ClusterProbe.currentLeader(CLUSTER.cluster());
    }
}
