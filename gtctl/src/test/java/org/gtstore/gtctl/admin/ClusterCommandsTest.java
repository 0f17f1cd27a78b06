package org.gtstore.gtctl.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gtstore.gtctl.Gtctl;
import org.gtstore.gtctl.GtctlRunner;
import org.gtstore.gtctl.cluster.ClusterFile;
import org.gtstore.gtctl.kv.FakeStore;
import org.gtstore.proto.PartitionMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The cluster commands against a fake metadata group and a cluster.json without processes. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClusterCommandsTest {
    @TempDir
    Path dir;

    private final PartitionMap map = FakeMetadataView.balancedMap(7, 2, 2, 4);
    private final FakeMetadataView metadata = new FakeMetadataView(map);
    private final GtctlRunner gtctl = new GtctlRunner(new FakeStore(false), metadata);

    private void writeCluster() {
        new ClusterFile(2, 4, List.of(
                new ClusterFile.MetadataMember("meta1", "127.0.0.1", 40001, 40002, 0),
                new ClusterFile.MetadataMember("meta2", "127.0.0.1", 40003, 40004, 0),
                new ClusterFile.MetadataMember("meta3", "127.0.0.1", 40005, 40006, 0)),
                List.of(new ClusterFile.ServerMember("server1", "127.0.0.1", 40011, 0),
                        new ClusterFile.ServerMember("server2", "127.0.0.1", 40012, 0)))
                .write(dir);
        metadata.members.put("127.0.0.1:40002",
                FakeMetadataView.status("meta1", "127.0.0.1:40002", "LEADER", 2, 0));
        metadata.members.put("127.0.0.1:40004",
                FakeMetadataView.status("meta2", "127.0.0.1:40004", "FOLLOWER", 2, 0));
    }

    @Test
    void startRefusesAnUnknownDurabilityAndAChangeOfAnExistingClusters() {
        GtctlRunner.Result bad = gtctl.run("cluster", "start", "--nodes", "3", "--rep", "2",
                "--durability", "sometimes", "--dir", dir.resolve("new").toString());
        assertEquals(Gtctl.EXIT_USAGE, bad.exitCode());
        assertEquals("error: --durability must be replicated or fsync, got 'sometimes'",
                bad.err().strip());
        writeCluster();
        GtctlRunner.Result changed = gtctl.run("cluster", "start", "--durability", "fsync",
                "--dir", dir.toString());
        assertEquals(Gtctl.EXIT_USAGE, changed.exitCode());
        assertTrue(changed.err().contains("was made with --durability replicated; durability"
                + " is fixed when a cluster is made"), changed.err());
        assertEquals("fsync", ClusterStartCommand.recordedDurability(
                List.of("--lease-ms", "800", "--durability", "fsync")));
        for (String flag : List.of("--tls", "--token")) {
            GtctlRunner.Result secured = gtctl.run("cluster", "start", flag, "--dir",
                    dir.toString());
            assertEquals(Gtctl.EXIT_USAGE, secured.exitCode());
            assertTrue(secured.err().contains("this cluster was started without " + flag
                    + "; it applies to a new cluster only"), secured.err());
        }
    }

    @Test
    void statusJsonUsesClusterJsonAndMarksSilentMembersDown() {
        writeCluster();
        GtctlRunner.Result r = gtctl.run("cluster", "status", "--json", "--dir", dir.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(1, r.outLines().size());
        assertTrue(r.out().startsWith("{\"epoch\":7,\"metadata\":[{\"id\":\"meta1\","), r.out());
        assertTrue(r.out().contains("{\"id\":\"meta3\",\"address\":\"127.0.0.1:40006\",\"pid\":0,"
                + "\"role\":\"DOWN\",\"term\":0}"), r.out());
        assertTrue(r.out().contains("{\"id\":\"server2\",\"address\":\"127.0.0.1:40012\","
                + "\"pid\":0,\"state\":\"ALIVE\",\"heads\":2,\"replicas\":4}"), r.out());
    }

    @Test
    void statusTableStartsWithTheEpoch() {
        writeCluster();
        GtctlRunner.Result r = gtctl.run("cluster", "status", "--dir", dir.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("Map epoch 7 (test map)", r.outLines().get(0));
        assertTrue(r.out().contains("Partitions: 4 total, 0 under-replicated"), r.out());
    }

    @Test
    void statusWithNoMemberAnsweringIsOneLineError() {
        GtctlRunner.Result r = gtctl.run("cluster", "status", "--meta", "127.0.0.1:1");
        assertEquals(1, r.exitCode());
        assertEquals("error: no metadata member answered at 127.0.0.1:1: is the cluster running?"
                + " (start it with 'gtctl cluster start'; a cluster with TLS or a token needs"
                + " --tls-ca/--tls-cert/--tls-key or --token-file)\n", r.err());
    }

    @Test
    void watchPrintsTheCurrentMapThenEachChange() {
        writeCluster();
        PartitionMap dead = FakeMetadataView.withDead(map, "server2");
        metadata.upcoming.add(map);
        metadata.upcoming.add(dead);
        metadata.upcoming.add(dead.toBuilder().setEpoch(9).setCause("nothing").build());
        GtctlRunner.Result r = gtctl.run("cluster", "watch", "--exit-after", "2",
                "--batch-ms", "0", "--dir", dir.toString());
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = r.outLines();
        assertEquals("epoch 7: 2 servers (2 alive), 4 partitions, K=2, 0 under-replicated,"
                + " 0 unavailable", lines.get(0));
        assertTrue(lines.contains("epoch 8: server2 dead: connection refused"), r.out());
        assertTrue(lines.contains("  server2 ALIVE -> DEAD"), r.out());
        assertTrue(lines.contains("epoch 9: nothing; now 4 under-replicated, 0 unavailable"),
                r.out());
        assertTrue(r.err().startsWith("watch: lost the watch stream"), r.err());
    }

    @Test
    void watchSummarizesABurstOfMapsInOneBlock() {
        // Restoring K makes one epoch per partition; they must not flood the screen.
        writeCluster();
        PartitionMap m = map;
        for (int i = 0; i < 4; i++) {
            m = m.toBuilder().setEpoch(m.getEpoch() + 1)
                    .setCause("partition " + i + ": server1 joins")
                    .setChains(i, m.getChains(i).toBuilder().setJoining("server3")).build();
            metadata.upcoming.add(m);
        }
        GtctlRunner.Result r = gtctl.run("cluster", "watch", "--exit-after", "4",
                "--batch-ms", "60000", "--dir", dir.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(List.of(
                "epoch 7: 2 servers (2 alive), 4 partitions, K=2, 0 under-replicated,"
                        + " 0 unavailable",
                "Watching for map changes (Ctrl-C to stop) ...",
                "epochs 8..11 (4 map changes): copies started (4): server3 x4;"
                        + " now 0 under-replicated, 0 unavailable"), r.outLines());
    }

    @Test
    void killOfUnknownIdListsTheValidIdsAndChangesNothing() throws Exception {
        writeCluster();
        String before = Files.readString(dir.resolve("cluster.json"));
        GtctlRunner.Result r = gtctl.run("cluster", "kill", "server9", "--dir", dir.toString());
        assertEquals(1, r.exitCode());
        assertEquals("error: unknown member 'server9'; valid ids: meta1, meta2, meta3, server1,"
                + " server2\n", r.err());
        assertEquals(before, Files.readString(dir.resolve("cluster.json")));
    }

    @Test
    void killOfAMemberThatIsNotRunningSaysSo() {
        writeCluster();
        GtctlRunner.Result r = gtctl.run("cluster", "kill", "server1", "--dir", dir.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().startsWith("error: server1 is not running"), r.err());
    }

    @Test
    void killWithMetaIsAUsageError() {
        GtctlRunner.Result r = gtctl.run("cluster", "kill", "server1", "--meta", "127.0.0.1:5");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("give --dir D instead of --meta"), r.err());
    }

    @Test
    void startWithRepLargerThanNodesFailsAndWritesNothing() throws Exception {
        Path fresh = dir.resolve("c");
        GtctlRunner.Result r = gtctl.run("cluster", "start", "--nodes", "2", "--rep", "3",
                "--dir", fresh.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("error: --rep 3 is larger than --nodes 2: every partition"
                + " needs 3 distinct servers"), r.err());
        assertFalse(Files.exists(fresh.resolve("cluster.json")));
    }

    @Test
    void startOfANewClusterNeedsNodesAndRep() {
        GtctlRunner.Result r = gtctl.run("cluster", "start", "--dir", dir.resolve("x").toString());
        assertEquals(2, r.exitCode());
        assertEquals("error: a new cluster needs --nodes N and --rep K\n", r.err());
    }

    @Test
    void startOfAnExistingClusterWithOtherSizesIsRefused() {
        writeCluster();
        GtctlRunner.Result r = gtctl.run("cluster", "start", "--nodes", "5", "--rep", "2",
                "--dir", dir.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("holds a cluster of 2 servers with --rep 2"), r.err());
    }

    @Test
    void stopOfAStoppedClusterSaysNothingWasRunning() {
        writeCluster();
        GtctlRunner.Result r = gtctl.run("cluster", "stop", "--dir", dir.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("Nothing was running in " + dir.toAbsolutePath().normalize() + "\n", r.out());
    }

    @Test
    void startPrintsMembersWithIdsAddressesAndPids() {
        ClusterFile c = new ClusterFile(2, 4, List.of(
                new ClusterFile.MetadataMember("meta1", "127.0.0.1", 40001, 40002, 11)),
                List.of(new ClusterFile.ServerMember("server1", "127.0.0.1", 40011, 21)));
        List<String> lines = ClusterStartCommand.lines("/d", c, false);
        assertEquals(List.of(
                "Cluster ready in /d: 1 metadata + 1 data servers, K=2, 4 partitions",
                "ID       ADDRESS          PID  LOG",
                "meta1    127.0.0.1:40002  11   /d/meta1/meta1.log",
                "server1  127.0.0.1:40011  21   /d/server1/server1.log"), lines);
        assertEquals(List.of("{\"dir\":\"/d\",\"replication\":2,\"partitions\":4,\"metadata\":"
                + "[{\"id\":\"meta1\",\"address\":\"127.0.0.1:40002\",\"raftAddress\":"
                + "\"127.0.0.1:40001\",\"pid\":11}],\"servers\":[{\"id\":\"server1\",\"address\":"
                + "\"127.0.0.1:40011\",\"pid\":21}]}"), ClusterStartCommand.lines("/d", c, true));
    }

    @Test
    void startPrintsEachMembersMetricsAddressWhenItHasOne() {
        ClusterFile c = new ClusterFile(2, 4, List.of(
                new ClusterFile.MetadataMember("meta1", "127.0.0.1", 40001, 40002, 11)),
                List.of(new ClusterFile.ServerMember("server1", "127.0.0.1", 40011, 21)))
                .withMetrics(java.util.Map.of("meta1", 40101, "server1", 40111));
        assertEquals(List.of(
                "Cluster ready in /d: 1 metadata + 1 data servers, K=2, 4 partitions",
                "ID       ADDRESS          PID  METRICS                         LOG",
                "meta1    127.0.0.1:40002  11   http://127.0.0.1:40101/metrics  /d/meta1/meta1.log",
                "server1  127.0.0.1:40011  21   http://127.0.0.1:40111/metrics  /d/server1/server1.log"),
                ClusterStartCommand.lines("/d", c, false));
        assertTrue(ClusterStartCommand.lines("/d", c, true).get(0)
                .contains("\"metrics\":\"http://127.0.0.1:40111/metrics\""));
    }
}
