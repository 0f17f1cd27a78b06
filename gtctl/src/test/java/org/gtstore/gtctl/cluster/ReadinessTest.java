package org.gtstore.gtctl.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.Chain;
import org.gtstore.proto.ClusterSettings;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ReadinessTest {
    private static final List<String> SERVERS = List.of("server1", "server2", "server3");

    private static PartitionMap map(int chainsWithTwo, int partitions, ServerState s3) {
        PartitionMap.Builder b = PartitionMap.newBuilder().setEpoch(5)
                .setSettings(ClusterSettings.newBuilder().setReplication(2)
                        .setPartitions(partitions));
        for (String id : SERVERS) {
            b.addServers(ServerInfo.newBuilder().setId(id)
                    .setState(id.equals("server3") ? s3 : ServerState.ALIVE));
        }
        for (int p = 0; p < chainsWithTwo; p++) {
            b.addChains(Chain.newBuilder().setPartition(p)
                    .addReplicas(SERVERS.get(p % 3)).addReplicas(SERVERS.get((p + 1) % 3)));
        }
        return b.build();
    }

    @Test
    void readyWhenLeaderAndEveryPartitionHasKLiveReplicas() {
        assertEquals(Optional.empty(),
                Readiness.notReadyReason(true, map(6, 6, ServerState.ALIVE), SERVERS, 2));
    }

    @Test
    void notReadyWithoutLeader() {
        assertEquals(Optional.of("the metadata group has no leader yet"),
                Readiness.notReadyReason(false, map(6, 6, ServerState.ALIVE), SERVERS, 2));
    }

    @Test
    void notReadyBeforeAssignment() {
        assertEquals(Optional.of("partitions are not assigned yet (map epoch 5)"),
                Readiness.notReadyReason(true, map(0, 6, ServerState.ALIVE), SERVERS, 2));
    }

    @Test
    void notReadyWhileAServerIsUnregisteredOrDead() {
        assertEquals(Optional.of("server4 has not registered (map epoch 5)"),
                Readiness.notReadyReason(true, map(6, 6, ServerState.ALIVE),
                        List.of("server1", "server4"), 2));
        assertEquals(Optional.of("server3 is DEAD in map epoch 5"),
                Readiness.notReadyReason(true, map(6, 6, ServerState.DEAD), SERVERS, 2));
    }

    @Test
    void notReadyWhileAChainIsShort() {
        PartitionMap m = map(6, 6, ServerState.ALIVE);
        m = m.toBuilder().setChains(2, m.getChains(2).toBuilder().clearReplicas()
                .addReplicas("server1")).build();
        assertEquals(Optional.of("1 of 6 partitions have fewer than 2 live replicas (map epoch 5)"),
                Readiness.notReadyReason(true, m, SERVERS, 2));
    }
}
