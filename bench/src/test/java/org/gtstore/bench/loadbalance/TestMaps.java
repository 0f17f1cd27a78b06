package org.gtstore.bench.loadbalance;

import org.gtstore.proto.Chain;
import org.gtstore.proto.ClusterSettings;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;

/** Partition maps for tests. */
final class TestMaps {
    private TestMaps() {
    }

    /**
     * {@code partitions} chains of length {@code rep} over server1..serverN, partition p headed
     * by server (p mod N) + 1, at the given epoch.
     */
    static PartitionMap roundRobin(int partitions, int servers, int rep, long epoch) {
        PartitionMap.Builder map = PartitionMap.newBuilder().setEpoch(epoch).setSettings(
                ClusterSettings.newBuilder().setPartitions(partitions).setReplication(rep)
                        .setInitialServers(servers));
        for (int s = 1; s <= servers; s++) {
            map.addServers(ServerInfo.newBuilder().setId("server" + s)
                    .setAddress("server" + s + ".test:1").setState(ServerState.ALIVE));
        }
        for (int p = 0; p < partitions; p++) {
            Chain.Builder chain = Chain.newBuilder().setPartition(p).setEpoch(epoch);
            for (int r = 0; r < rep; r++) {
                chain.addReplicas("server" + ((p + r) % servers + 1));
            }
            map.addChains(chain);
        }
        return map.build();
    }
}
