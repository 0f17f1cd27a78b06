package org.gtstore.bench.loadbalance;

import java.util.Map;
import org.gtstore.proto.PartitionMap;

/** What the load-balance benchmark asks a cluster beyond puts: its map and its own key counts. */
public interface ClusterInspector {
    /** The newest partition map the metadata group serves. */
    PartitionMap map();

    /**
     * Keys in the partitions each live data server heads, as the server itself reports
     * ({@code DataService.GetStats keys_headed}), by server id.
     *
     * @throws RuntimeException if a server cannot be asked; the benchmark then counts by the map
     */
    Map<String, Long> keysHeaded();
}
