package org.gtstore.bench.loadbalance;

import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;
import org.gtstore.bench.driver.BenchmarkException;
import org.gtstore.proto.Chain;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;

/**
 * Counts keys per primary by routing each key through a partition map, as a client does: the
 * key's partition by {@link KeyPartitioner}, then that chain's head ({@code replicas[0]}).
 * This is the client's view; the servers' own count ({@code GetStats.keys_headed}) is the truth
 * that this cross-checks.
 */
public final class HeadCounter {
    private final String[] headByPartition;
    private final KeyPartitioner partitioner;
    private final Map<String, Long> zeroCounts = new HashMap<>();

    public HeadCounter(PartitionMap map) {
        int partitions = map.getSettings().getPartitions();
        this.partitioner = new KeyPartitioner(partitions);
        this.headByPartition = new String[partitions];
        for (Chain chain : map.getChainsList()) {
            int p = chain.getPartition();
            if (p < 0 || p >= partitions) {
                throw new IllegalArgumentException("chain for partition " + p
                        + " outside [0, " + partitions + ") in map epoch " + map.getEpoch());
            }
            if (chain.getReplicasCount() > 0) {
                headByPartition[p] = chain.getReplicas(0);
            }
        }
        for (ServerInfo server : map.getServersList()) {
            if (server.getState() == ServerState.ALIVE) {
                zeroCounts.put(server.getId(), 0L);
            }
        }
    }

    /** The head of the partition holding {@code key}, or null if that partition has none. */
    public String headOf(byte[] key) {
        return headByPartition[partitioner.partitionOf(key)];
    }

    /**
     * Keys per head for the given keys, with every live server present (a server heading no key
     * counts 0, so min/mean shows it).
     *
     * @throws BenchmarkException if a key's partition has no head in this map
     */
    public Map<String, Long> count(int keyCount, IntFunction<byte[]> keys) {
        Map<String, Long> counts = new HashMap<>(zeroCounts);
        for (int i = 0; i < keyCount; i++) {
            byte[] key = keys.apply(i);
            String head = headOf(key);
            if (head == null) {
                throw new BenchmarkException("partition " + partitioner.partitionOf(key)
                        + " has no head in the map; the cluster is not fully assigned");
            }
            counts.merge(head, 1L, Long::sum);
        }
        return ServerIds.sorted(counts);
    }
}
