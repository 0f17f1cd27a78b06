package org.gtstore.gtctl.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.gtstore.proto.Chain;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.PartitionSeq;
import org.gtstore.proto.PassHistogram;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;
import org.gtstore.proto.StatsResponse;
import org.junit.jupiter.api.Test;

/** cluster stats: rates over the interval, the pass p99, keys and the lag behind a chain. */
class ClusterStatsTest {
    private static final List<Double> BOUNDS = List.of(0.001, 0.01, 0.1,
            Double.POSITIVE_INFINITY);

    private static PassHistogram passes(long... counts) {
        PassHistogram.Builder b = PassHistogram.newBuilder().addAllUpperBounds(BOUNDS);
        for (long c : counts) {
            b.addCounts(c);
        }
        return b.build();
    }

    private static StatsResponse stats(long puts, long gets, PassHistogram h, long held,
            long p0, long p1) {
        return StatsResponse.newBuilder().setPuts(puts).setGets(gets).setPasses(h)
                .setKeysHeld(held).setKeysHeaded(held / 2)
                .addApplied(PartitionSeq.newBuilder().setPartition(0).setSeq(p0))
                .addApplied(PartitionSeq.newBuilder().setPartition(1).setSeq(p1)).build();
    }

    @Test
    void ratesPercentileKeysAndLagComeFromTwoSamples() {
        PartitionMap map = PartitionMap.newBuilder().setEpoch(9)
                .addServers(ServerInfo.newBuilder().setId("s1").setAddress("h:1")
                        .setState(ServerState.ALIVE))
                .addServers(ServerInfo.newBuilder().setId("s2").setAddress("h:2")
                        .setState(ServerState.ALIVE))
                .addServers(ServerInfo.newBuilder().setId("s3").setAddress("h:3")
                        .setState(ServerState.ALIVE))
                .addChains(Chain.newBuilder().setPartition(0).addReplicas("s1").addReplicas("s2"))
                .addChains(Chain.newBuilder().setPartition(1).addReplicas("s2").addReplicas("s1"))
                .build();
        Map<String, StatsResponse> first = Map.of(
                "s1", stats(100, 100, passes(10, 0, 0, 0), 0, 0, 0),
                "s2", stats(0, 0, passes(0, 0, 0, 0), 0, 0, 0));
        Map<String, StatsResponse> second = Map.of(
                "s1", stats(1100, 2100, passes(10, 99, 1, 0), 500, 40, 30),
                "s2", stats(500, 0, passes(1, 0, 0, 0), 500, 47, 30));
        ClusterStats s = ClusterStats.of(map, first, second, 2_000_000_000L);
        ClusterStats.Row s1 = s.servers().get(0);
        assertEquals(1500, s1.opsPerSec(), 1e-9, "3,000 requests in 2 s");
        assertEquals(500, s1.putsPerSec(), 1e-9);
        assertEquals(10, s1.passP99Ms(), 1e-9, "99 of 100 passes within 10 ms");
        assertEquals(7, s1.maxLag(), "7 behind s2 in partition 0");
        assertEquals(0, s.servers().get(1).maxLag());
        assertEquals(1, s.servers().get(1).passP99Ms(), 1e-9);
        assertFalse(s.servers().get(2).answered());
        String table = s.table();
        assertTrue(table.startsWith("epoch 9, over 2000 ms\nSERVER"), table);
        assertTrue(table.contains("no answer"), table);
        assertTrue(table.contains("<= 10 ms"), table);
        assertEquals(-1, ClusterStats.p99Ms(passes(0, 0, 0, 0), passes(0, 0, 0, 5)),
                "above the last finite bound");
        assertEquals(0, ClusterStats.p99Ms(passes(3, 0, 0, 0), passes(3, 0, 0, 0)),
                "no pass in the interval");
    }
}
