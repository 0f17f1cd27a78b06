package org.gtstore.gtctl.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.Chain;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The watch summarizes a change in a few lines, however many partitions moved. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MapChangeTest {
    private final PartitionMap before = FakeMetadataView.balancedMap(10, 5, 3, 1024);

    @Test
    void deadServerIsSummarizedAsCountsNotPartitionByPartition() {
        PartitionMap after = FakeMetadataView.withDead(before, "server3");
        MapChange c = MapChange.between(before, after);
        // server3 is in 3/5 of the chains: head of 1/5, middle of 1/5, tail of 1/5.
        assertEquals(615, c.partitionsChanged());
        assertEquals(Map.of("server3", 615), c.replicasRemoved());
        assertEquals(205, c.headMoves().get("server3 -> server4"));
        assertEquals(1, c.headMoves().size());
        assertEquals(205, c.tailMoves().get("server3 -> server2"));
        assertEquals(List.of("server3 ALIVE -> DEAD"), c.serverChanges());
        assertEquals(615, c.underReplicated());
        assertEquals(0, c.unavailable());
        List<String> lines = c.lines();
        assertEquals("epoch 11: server3 dead: connection refused", lines.get(0));
        assertTrue(lines.size() <= 12, String.join("\n", lines));
        assertTrue(lines.contains("  heads moved (205): server3 -> server4 x205"),
                lines.toString());
        assertTrue(lines.contains("  now 615 under-replicated, 0 unavailable"), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("  e.g. p")), lines.toString());
    }

    @Test
    void copyStartAndFinishAreReportedPerServer() {
        PartitionMap dead = FakeMetadataView.withDead(before, "server3");
        Chain c7 = dead.getChains(7);
        PartitionMap copying = dead.toBuilder().setEpoch(12).setCause("restore K")
                .addServers(ServerInfo.newBuilder().setId("server6").setState(ServerState.ALIVE))
                .setChains(7, c7.toBuilder().setJoining("server6")).build();
        MapChange started = MapChange.between(dead, copying.toBuilder().clearServers()
                .addAllServers(dead.getServersList()).build());
        assertEquals(Map.of("server6", 1), started.copiesStarted());
        assertEquals(1, started.partitionsChanged());

        PartitionMap done = copying.toBuilder().setEpoch(13).setCause("copy done")
                .setChains(7, c7.toBuilder().addReplicas("server6")).build();
        MapChange finished = MapChange.between(copying, done);
        assertEquals(Map.of("server6", 1), finished.copiesFinished());
        assertTrue(finished.replicasAdded().isEmpty());
        assertEquals(List.of("epoch 13: copy done; now 614 under-replicated, 0 unavailable"),
                finished.lines());
        assertTrue(finished.routine());
    }

    @Test
    void aBurstOfCopiesIsOneLine() {
        PartitionMap dead = FakeMetadataView.withDead(before, "server3");
        List<PartitionMap> burst = new java.util.ArrayList<>();
        PartitionMap m = dead;
        for (int p = 0; p < 8; p++) {
            m = m.toBuilder().setEpoch(m.getEpoch() + 1).setCause("partition " + p + " copy")
                    .setChains(p, m.getChains(p).toBuilder().setJoining("server" + (p % 2 + 1)))
                    .build();
            burst.add(m);
        }
        assertEquals(List.of("epochs 12..19 (8 map changes): copies started (8): server1 x4,"
                + " server2 x4; now 615 under-replicated, 0 unavailable"),
                MapChange.over(dead, burst).lines());
    }

    @Test
    void firstAssignmentIsOneLine() {
        PartitionMap empty = before.toBuilder().clearChains().setEpoch(3).build();
        MapChange c = MapChange.between(empty, before);
        assertTrue(c.initialAssignment());
        assertTrue(c.headMoves().isEmpty());
        assertTrue(c.lines().contains("  initial assignment of 1024 partitions"),
                c.lines().toString());
    }

    @Test
    void registrationsAndRestartsAreServerChanges() {
        PartitionMap after = before.toBuilder().setEpoch(11)
                .setServers(0, before.getServers(0).toBuilder().setIncarnation(2))
                .addServers(ServerInfo.newBuilder().setId("server6").setAddress("127.0.0.1:1")
                        .setState(ServerState.JOINING))
                .build();
        assertEquals(List.of("server1 registered again (incarnation 2, ALIVE)",
                "server6 registered at 127.0.0.1:1 (JOINING)"),
                MapChange.between(before, after).serverChanges());
    }

    @Test
    void manyDifferentMovesAreCutToAFewEntries() {
        PartitionMap after = before;
        for (String id : List.of("server1", "server2", "server3")) {
            after = FakeMetadataView.withDead(after, id);
        }
        MapChange c = MapChange.between(before, after);
        String removed = c.lines().stream().filter(l -> l.contains("replicas removed"))
                .findFirst().orElseThrow();
        assertTrue(removed.length() < 120, removed);
        assertTrue(c.unavailable() > 0);
    }

    @Test
    void summaryDescribesAMapInOneLine() {
        assertEquals("epoch 10: 5 servers (5 alive), 1024 partitions, K=3, 0 under-replicated,"
                + " 0 unavailable", MapChange.summary(before));
    }
}
