package org.gtstore.bench.loadbalance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gtstore.bench.driver.BenchmarkException;
import org.gtstore.bench.workload.KeySpace;
import org.gtstore.proto.Chain;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HeadCounterTest {
    @Test
    void routesEachKeyToTheHeadOfItsPartitionsChain() {
        PartitionMap map = TestMaps.roundRobin(16, 3, 2, 1);
        HeadCounter counter = new HeadCounter(map);
        KeyPartitioner partitioner = new KeyPartitioner(16);
        for (String k : List.of("key1", "key2", "alpha", "omega")) {
            byte[] key = k.getBytes(StandardCharsets.UTF_8);
            int p = partitioner.partitionOf(key);
            assertEquals("server" + (p % 3 + 1), counter.headOf(key), k);
        }
    }

    @Test
    void countsAddUpAndEveryLiveServerAppearsEvenWithNoKeys() {
        // Four live servers but only server1..server3 head a partition.
        PartitionMap map = TestMaps.roundRobin(12, 3, 1, 1).toBuilder()
                .addServers(ServerInfo.newBuilder().setId("server4").setState(ServerState.ALIVE))
                .addServers(ServerInfo.newBuilder().setId("server5").setState(ServerState.DEAD))
                .build();
        KeySpace keys = new KeySpace(3, 9_000);
        Map<String, Long> counts = new HeadCounter(map).count(keys.keyCount(), keys::key);
        assertEquals(List.of("server1", "server2", "server3", "server4"),
                List.copyOf(counts.keySet()));
        assertEquals(0L, counts.get("server4"));
        assertEquals(9_000L, counts.values().stream().mapToLong(Long::longValue).sum());
        for (String id : List.of("server1", "server2", "server3")) {
            assertTrue(counts.get(id) > 2_500, id + " heads " + counts.get(id));
        }
    }

    @Test
    void aPartitionWithoutAHeadIsReported() {
        PartitionMap map = TestMaps.roundRobin(4, 2, 1, 1).toBuilder()
                .setChains(2, Chain.newBuilder().setPartition(2).addLastReplicas("server1"))
                .build();
        KeySpace keys = new KeySpace(1, 1_000);
        BenchmarkException e = assertThrows(BenchmarkException.class,
                () -> new HeadCounter(map).count(keys.keyCount(), keys::key));
        assertTrue(e.getMessage().startsWith("partition 2 has no head"), e.getMessage());
    }
}
