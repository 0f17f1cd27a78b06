package org.gtstore.tests;

import static org.awaitility.Awaitility.await;
import static org.gtstore.tests.support.ClusterChecks.assertBalanced;
import static org.gtstore.tests.support.ClusterChecks.assertLinearizable;
import static org.gtstore.tests.support.ClusterChecks.assertNoneFailed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gtstore.client.internal.MetadataClient;
import org.gtstore.client.MetadataUnavailableException;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;
import org.gtstore.tests.support.ChainSizeWatcher;
import org.gtstore.tests.support.CliResult;
import org.gtstore.tests.support.ClusterChecks;
import org.gtstore.tests.support.HostsCluster;
import org.gtstore.tests.support.NetnsNetwork;
import org.gtstore.tests.support.RecordedWorkload;
import org.gtstore.tests.support.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cluster on several "hosts", started the way the README's "Running on several machines"
 * says: every member in a network namespace of its own with its own address on one bridge and
 * the same ports as the others, each started by hand from one cluster file ({@code --listen
 * 0.0.0.0}, data servers with {@code --advertise}); gtctl and the clients run on the test
 * JVM's "workstation" with only {@code --cluster-file}. Every connection runs over mutual
 * TLS, each host presenting a certificate of its own that names its address (Ratis, the
 * chains, the clients and gtctl all verify them). Under four writers, a new host's data
 * server joins and the load moves onto it, another host is drained, stopped and removed, and
 * a metadata host is replaced by a new one. Checked as in {@link ElasticClusterIT}: every
 * history linearizable, no operation failed, no chain below K in any published map, balance
 * within one at the end; and a value put before it all reads
 * back after it with a cluster file that names the new metadata host.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class MultiHostIT {
    private static final int K = 3;
    private static final Duration WAIT = Duration.ofMinutes(3);

    @Test
    void growDrainAndReplaceMetadataAcrossHosts() throws Exception {
        assumeTrue(NetnsNetwork.available(), "needs root: ip netns, veth and bridges");
        List<String> metadata = List.of("meta1", "meta2", "meta3");
        try (HostsCluster c = HostsCluster.create(metadata, Map.of("replication", "" + K,
                "partitions", "64", "initial-servers", "5"), true)) {
            try {
                startHosts(c, metadata);
                mistakesChangeNothing(c);
                changeUnderWriters(c);
            } catch (AssertionError | RuntimeException e) {
                System.err.println("---- member logs ----\n" + c.logs());
                throw e;
            }
        }
    }

    private static void startHosts(HostsCluster c, List<String> metadata) {
        metadata.forEach(id -> c.startMetadata(id));
        for (int i = 1; i <= 5; i++) {
            c.addHost("server" + i);
            c.startServer("server" + i);
        }
        await("a first put from the workstation").atMost(WAIT).pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    metadata.forEach(c::requireRunning);
                    return c.gtctl("put", "hosts-key", "before").exitCode() == 0;
                });
        assertReads(c, "hosts-key", "before");
        CliResult status = c.gtctl("cluster", "status");
        assertEquals(0, status.exitCode(), status.toString());
        for (int i = 1; i <= 5; i++) {
            String advertised = c.dataAddress("server" + i);
            assertTrue(status.out().stream().anyMatch(l -> l.contains(advertised)),
                    "status shows server" + i + " at " + advertised + ": " + status);
        }
    }

    /**
     * Operator mistakes, each one line and nothing changed: a new host started with the id of
     * a live server (it stops, naming the server), and a cluster file whose settings disagree
     * with the running group ({@code cluster status} warns).
     */
    private static void mistakesChangeNothing(HostsCluster c) throws Exception {
        PartitionMap before = map(c);
        c.addHost("dup");
        c.startServerAs("dup", "server2");
        int code = c.awaitExit("dup", WAIT);
        assertTrue(code != 0, "exit " + code);
        assertTrue(c.logTail("dup", 20).stream().anyMatch(l -> l.contains("server2 is alive at "
                + c.dataAddress("server2"))), String.join("\n", c.logTail("dup", 20)));
        PartitionMap after = map(c);
        assertEquals(before.getServersList(), after.getServersList(), "server2 kept its place");
        assertEquals(before.getChainsList(), after.getChainsList());

        Path wrong = Files.writeString(c.clusterFile().resolveSibling("wrong.conf"),
                Files.readString(c.clusterFile()).replace("replication = 3", "replication = 2"));
        CliResult status = TestCluster.runGtctl("", "cluster", "status", "--cluster-file",
                wrong.toString());
        assertEquals(0, status.exitCode(), status.toString());
        assertEquals(1, status.err().strip().lines().count(), status.toString());
        assertTrue(status.err().contains("says replication = 2 (the cluster has 3)"),
                status.toString());
    }

    private static void changeUnderWriters(HostsCluster c) throws Exception {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 48; i++) {
            keys.add("hosts-" + i);
        }
        try (ChainSizeWatcher watcher = ChainSizeWatcher.start(K, c.metadataAddresses(),
                c.security());
             RecordedWorkload w = RecordedWorkload.start(
                     () -> c.client(Duration.ofSeconds(30)), keys, 4, 17)) {
            awaitProgress(w);
            addHost(c, "server6");
            awaitProgress(w);
            drainHost(c, "server1");
            awaitProgress(w);
            replaceMetadataHost(c, "meta1", "meta4");
            awaitProgress(w);
            w.close();
            watcher.close();
            System.out.printf("[hosts] %d ops ok, %d failed %s; %d maps watched%n",
                    w.succeeded(), w.failed(), w.sampleFailures(), watcher.seen());
            assertNoneFailed(w);
            assertTrue(watcher.violations().isEmpty(), "chains below K: " + watcher.violations());
            assertLinearizable(w);
        }
        PartitionMap end = map(c);
        assertEquals(List.of("server2", "server3", "server4", "server5", "server6"),
                end.getServersList().stream().map(ServerInfo::getId).sorted().toList());
        assertBalanced(end, K, "at the end");
        assertReads(c, "hosts-key", "before");
    }

    /** {@code gtctl get} prints "key, value, server". */
    private static void assertReads(HostsCluster c, String key, String value) {
        CliResult get = c.gtctl("get", key);
        assertEquals(0, get.exitCode(), get.toString());
        assertTrue(get.line().startsWith(key + ", " + value + ", server"), get.toString());
    }

    /** A new host's data server joins by itself; the leader moves load onto it. */
    private static void addHost(HostsCluster c, String id) {
        long startNs = System.nanoTime();
        c.addHost(id);
        c.startServer(id);
        await(id + " to join and the load to balance").atMost(WAIT)
                .pollInterval(Duration.ofMillis(500)).until(() -> {
                    c.requireRunning(id);
                    PartitionMap m;
                    try {
                        m = map(c);
                    } catch (MetadataUnavailableException e) {
                        return false;
                    }
                    return m.getServersList().stream().anyMatch(s -> s.getId().equals(id)
                            && s.getState() == ServerState.ALIVE)
                            && ClusterChecks.isBalanced(m, K);
                });
        System.out.printf("[hosts] %s joined and the cluster balanced in %d ms%n", id,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
    }

    /** {@code cluster drain --wait}, SIGTERM (as systemctl stop), {@code cluster remove}. */
    private static void drainHost(HostsCluster c, String id) throws InterruptedException {
        CliResult drained = c.gtctl("cluster", "drain", id, "--wait");
        assertEquals(0, drained.exitCode(), drained.toString());
        System.out.println("[hosts] " + String.join("; ", drained.out()));
        c.stop(id);
        CliResult removed = c.gtctl("cluster", "remove", id);
        assertEquals(0, removed.exitCode(), removed.toString());
        assertEquals("Removed " + id, removed.line());
    }

    /**
     * The README's steps: start the new member with {@code --join}, {@code meta replace --with
     * NEW --raft-address --rpc-address}, stop the old one, edit the cluster file.
     */
    private static void replaceMetadataHost(HostsCluster c, String old, String replacement)
            throws InterruptedException {
        c.addHost(replacement);
        c.startJoiningMetadata(replacement);
        c.awaitMetadataAnswers(replacement, WAIT);
        CliResult r = c.gtctl("cluster", "meta", "replace", old, "--with", replacement,
                "--raft-address", c.raftAddress(replacement),
                "--rpc-address", c.rpcAddress(replacement));
        assertEquals(0, r.exitCode(), r.toString());
        System.out.println("[hosts] " + String.join("; ", r.out()));
        c.stop(old);
        c.writeClusterFile(List.of("meta2", "meta3", replacement));
        CliResult status = c.gtctl("cluster", "status");
        assertEquals(0, status.exitCode(), status.toString());
        assertTrue(status.out().stream().anyMatch(l -> l.startsWith(replacement + " ")),
                status.toString());
        assertTrue(status.out().stream().noneMatch(l -> l.startsWith(old + " ")),
                status.toString());
    }

    private static void awaitProgress(RecordedWorkload w) {
        long target = w.succeeded() + 200;
        await("progress").atMost(WAIT)
                .pollInterval(Duration.ofMillis(50)).until(() -> w.succeeded() >= target);
    }

    private static PartitionMap map(HostsCluster c) {
        try (MetadataClient m = MetadataClient.create(c.metadataAddresses(), c.security())) {
            return m.getLeaderMap();
        }
    }
}
