package org.gtstore.gtctl.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.Durability;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ReplicaTip;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class StatusReportTest {
    private static final List<StatusReport.MemberObservation> MEMBERS = List.of(
            new StatusReport.MemberObservation("meta1", "127.0.0.1:40002", 101, Optional.of(
                    FakeMetadataView.status("meta1", "127.0.0.1:40002", "LEADER", 3, 101))),
            new StatusReport.MemberObservation("meta2", "127.0.0.1:40004", 102, Optional.of(
                    FakeMetadataView.status("meta2", "127.0.0.1:40004", "FOLLOWER", 3, 102))),
            new StatusReport.MemberObservation("meta3", "127.0.0.1:40006", 103, Optional.empty()));

    private static Map<String, Long> pids(int servers) {
        Map<String, Long> pids = new LinkedHashMap<>();
        for (int i = 1; i <= servers; i++) {
            pids.put("server" + i, 200L + i);
        }
        return pids;
    }

    @Test
    void countsHeadsAndReplicasPerServer() {
        PartitionMap map = FakeMetadataView.balancedMap(7, 5, 3, 1000);
        StatusReport r = StatusReport.of(MEMBERS, map, pids(5));
        assertEquals(5, r.servers().size());
        for (StatusReport.ServerRow s : r.servers()) {
            assertEquals(200, s.heads());
            assertEquals(600, s.replicas());
            assertEquals("ALIVE", s.state());
        }
        assertEquals(new StatusReport.PartitionCounts(1000, 0, 0), r.partitions());
    }

    @Test
    void unansweredMemberIsDown() {
        StatusReport r = StatusReport.of(MEMBERS, FakeMetadataView.balancedMap(7, 3, 2, 8),
                pids(3));
        assertEquals(new StatusReport.MetadataRow("meta1", "127.0.0.1:40002", 101, "LEADER", 3),
                r.metadata().get(0));
        assertEquals(new StatusReport.MetadataRow("meta3", "127.0.0.1:40006", 0, "DOWN", 0),
                r.metadata().get(2));
    }

    @Test
    void partitionsWithFewerThanKLiveReplicasAreCountedAndListed() {
        PartitionMap map = FakeMetadataView.withDead(FakeMetadataView.balancedMap(7, 3, 2, 9),
                "server1");
        Map<String, Long> pids = pids(3);
        pids.put("server1", 0L);
        StatusReport r = StatusReport.of(MEMBERS, map, pids);
        assertEquals(new StatusReport.PartitionCounts(9, 6, 0), r.partitions());
        StatusReport.Details d = StatusReport.details(MEMBERS, map, pids);
        assertEquals(List.of(0, 2, 3, 5, 6, 8), d.underReplicated());
        assertEquals(new StatusReport.ServerRow("server1", "127.0.0.1:40011", 0, "DEAD", 0, 0),
                r.servers().get(0));

        PartitionMap both = FakeMetadataView.withDead(map, "server2");
        StatusReport.Details d2 = StatusReport.details(MEMBERS, both, pids);
        assertEquals(List.of(0, 3, 6), d2.unavailable());
    }

    @Test
    void lastReplicasThatHaveNotReportedAreListedAsAwaited() {
        PartitionMap two = FakeMetadataView.withDead(FakeMetadataView.withDead(
                FakeMetadataView.balancedMap(7, 3, 2, 9), "server1"), "server2");
        PartitionMap.Builder b = two.toBuilder();
        for (int i = 0; i < b.getChainsCount(); i++) {
            if (b.getChains(i).getReplicasCount() == 0) {
                b.setChains(i, b.getChains(i).toBuilder().addLastReplicas("server2")
                        .addLastReplicas("server1").addTips(ReplicaTip.newBuilder()
                                .setServerId("server2").setSeq(4)));
            }
        }
        Map<String, Long> pids = pids(3);
        StatusReport.Details d = StatusReport.details(MEMBERS, b.build(), pids);
        assertEquals(List.of(0, 3, 6), d.unavailable());
        assertEquals(List.of("server1"), d.awaited(), "server2 reported what it holds");
        String text = String.join("\n", StatusPrinter.lines(
                StatusReport.of(MEMBERS, b.build(), pids), d));
        assertTrue(text.contains("Waiting for server1 to come back with their data"), text);
        assertTrue(StatusReport.details(MEMBERS, two, pids).awaited().isEmpty(),
                "a chain that names no last replicas waits for nobody");
    }

    @Test
    void jsonHasExactlyTheAgreedShape() throws Exception {
        StatusReport r = StatusReport.of(MEMBERS, FakeMetadataView.balancedMap(7, 2, 2, 4),
                pids(2));
        assertEquals("{\"epoch\":7,\"metadata\":["
                + "{\"id\":\"meta1\",\"address\":\"127.0.0.1:40002\",\"pid\":101,"
                + "\"role\":\"LEADER\",\"term\":3},"
                + "{\"id\":\"meta2\",\"address\":\"127.0.0.1:40004\",\"pid\":102,"
                + "\"role\":\"FOLLOWER\",\"term\":3},"
                + "{\"id\":\"meta3\",\"address\":\"127.0.0.1:40006\",\"pid\":0,"
                + "\"role\":\"DOWN\",\"term\":0}],"
                + "\"servers\":["
                + "{\"id\":\"server1\",\"address\":\"127.0.0.1:40011\",\"pid\":201,"
                + "\"state\":\"ALIVE\",\"heads\":2,\"replicas\":4},"
                + "{\"id\":\"server2\",\"address\":\"127.0.0.1:40012\",\"pid\":202,"
                + "\"state\":\"ALIVE\",\"heads\":2,\"replicas\":4}],"
                + "\"partitions\":{\"total\":4,\"underReplicated\":0,\"unavailable\":0},"
                + "\"durability\":\"replicated\"}",
                new ObjectMapper().writeValueAsString(r));
    }

    @Test
    void tableShowsMembersServersAndShortPartitions() {
        PartitionMap map = FakeMetadataView.withDead(FakeMetadataView.balancedMap(7, 3, 2, 60),
                "server1");
        List<String> lines = StatusPrinter.lines(StatusReport.of(MEMBERS, map, pids(3)),
                StatusReport.details(MEMBERS, map, pids(3)));
        String text = String.join("\n", lines);
        assertEquals("Map epoch 8 (server1 dead: connection refused)", lines.get(0));
        assertTrue(text.contains("meta1     127.0.0.1:40002  101  LEADER    3"), text);
        assertTrue(text.contains("meta3     127.0.0.1:40006  -    DOWN      -"), text);
        assertTrue(text.contains("server1  127.0.0.1:40011  201  DEAD   0      0"), text);
        assertTrue(text.contains("Partitions: 60 total, 40 under-replicated (fewer than 2 live"
                + " replicas), 0 unavailable"), text);
        assertTrue(text.contains("Under-replicated: 0, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18,"
                + " 20, 21, 23, 24, 26, 27, 29 ... and 20 more"), text);
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("Cluster id")),
                "a map without a cluster id shows none: " + text);
    }

    @Test
    void tableEndsWithTheClusterId() {
        PartitionMap map = FakeMetadataView.balancedMap(7, 3, 2, 60);
        map = map.toBuilder().setSettings(map.getSettings().toBuilder()
                .setClusterId("6f1c2a9e-5b3d-4c8e-9a61-0d2f4b6e8a10")).build();
        List<String> lines = StatusPrinter.lines(StatusReport.of(MEMBERS, map, pids(3)),
                StatusReport.details(MEMBERS, map, pids(3)));
        assertEquals("Cluster id 6f1c2a9e-5b3d-4c8e-9a61-0d2f4b6e8a10",
                lines.get(lines.size() - 1));
        assertEquals("Durability replicated", lines.get(lines.size() - 2));
    }

    @Test
    void fsyncDurabilityIsShownInTheTableAndTheJson() throws Exception {
        PartitionMap map = FakeMetadataView.balancedMap(7, 3, 2, 60);
        map = map.toBuilder().setSettings(map.getSettings().toBuilder()
                .setDurability(Durability.FSYNC)).build();
        StatusReport r = StatusReport.of(MEMBERS, map, pids(3));
        List<String> lines = StatusPrinter.lines(r, StatusReport.details(MEMBERS, map, pids(3)));
        assertTrue(lines.contains("Durability fsync"), String.join("\n", lines));
        assertTrue(new ObjectMapper().writeValueAsString(r).endsWith(",\"durability\":\"fsync\"}"));
    }

    @Test
    void copyProgressIsSummedPerReceivingServer() {
        List<org.gtstore.proto.CopyProgress> progress = List.of(
                copy(1, "server4", 10, 100), copy(2, "server4", 40, 100),
                copy(3, "server10", 0, 0));
        assertEquals(List.of("Copying to server4: 2 partitions, 50/200 keys (25%)",
                "Copying to server10: 1 partition, 0/0 keys (100%)"),
                StatusPrinter.copyLines(progress));
    }

    private static org.gtstore.proto.CopyProgress copy(int p, String server, long copied,
            long total) {
        return org.gtstore.proto.CopyProgress.newBuilder().setPartition(p).setServerId(server)
                .setCopiedKeys(copied).setTotalKeys(total).build();
    }

    @Test
    void idsSortNumerically() {
        assertTrue(StatusReport.compareIds("server2", "server10") < 0);
        assertTrue(StatusReport.compareIds("meta3", "server1") < 0);
        assertEquals(0, StatusReport.compareIds("server7", "server7"));
    }
}
