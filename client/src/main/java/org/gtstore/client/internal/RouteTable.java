package org.gtstore.client.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gtstore.proto.Chain;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ServerInfo;

/**
 * One partition map, laid out for routing: for each partition its chain, head and tail with
 * their addresses, looked up by array index. Immutable; a new map makes a new table.
 *
 * <pre>
 *   key --KeyPartitioner--> partition p --routes[p]--> Route{head, tail, chain}
 *   put/delete -> head (replicas[0])       get -> tail (replicas[last])
 * </pre>
 */
public final class RouteTable {
    private final PartitionMap map;
    private final KeyPartitioner partitioner;
    private final Route[] routes;

    /**
     * The route of one partition. {@code chain} is empty when every replica is dead; then
     * {@code lastReplicas} names the servers one of which must return.
     */
    public record Route(int partition, List<String> chain, String head, String headAddress,
            String tail, String tailAddress, List<String> lastReplicas, long chainEpoch) {
        public boolean available() {
            return !chain.isEmpty();
        }
    }

    private RouteTable(PartitionMap map, KeyPartitioner partitioner, Route[] routes) {
        this.map = map;
        this.partitioner = partitioner;
        this.routes = routes;
    }

    /** Lays out a map. A map without settings or chains yet gives a table with no routes. */
    public static RouteTable of(PartitionMap map) {
        int partitions = map.getSettings().getPartitions();
        if (partitions <= 0) {
            return new RouteTable(map, null, new Route[0]);
        }
        Map<String, String> addressOf = new HashMap<>();
        for (ServerInfo s : map.getServersList()) {
            addressOf.put(s.getId(), s.getAddress());
        }
        Route[] routes = new Route[partitions];
        for (Chain c : map.getChainsList()) {
            int p = c.getPartition();
            if (p < 0 || p >= partitions) {
                continue;
            }
            List<String> chain = List.copyOf(c.getReplicasList());
            String head = chain.isEmpty() ? null : chain.get(0);
            String tail = chain.isEmpty() ? null : chain.get(chain.size() - 1);
            routes[p] = new Route(p, chain, head, head == null ? null : addressOf.get(head),
                    tail, tail == null ? null : addressOf.get(tail),
                    List.copyOf(c.getLastReplicasList()), c.getEpoch());
        }
        return new RouteTable(map, new KeyPartitioner(partitions), routes);
    }

    public PartitionMap map() {
        return map;
    }

    public long epoch() {
        return map.getEpoch();
    }

    /** The key's partition, or -1 if the map has no partition count yet. */
    /** The map's partition count (0 before the first assignment). */
    public int partitions() {
        return partitioner == null ? 0 : partitioner.partitions();
    }

    public int partitionOf(com.google.protobuf.ByteString key) {
        return partitioner == null ? -1 : partitioner.partitionOf(key);
    }

    /** The partition's route, or null if the map has none for it yet. */
    public Route route(int partition) {
        return partition < 0 || partition >= routes.length ? null : routes[partition];
    }
}
