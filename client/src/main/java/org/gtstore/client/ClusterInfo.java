package org.gtstore.client;

import java.util.List;

/**
 * The shape of the cluster as the client's cached map shows it.
 *
 * @param mapEpoch the epoch of that map (it grows with every change of the cluster)
 * @param partitions how many partitions the keys hash into (fixed when the cluster is made)
 * @param replication K, the number of replicas of every partition
 * @param liveServers the ids of the data servers the map shows alive, in the map's order
 */
public record ClusterInfo(long mapEpoch, int partitions, int replication,
        List<String> liveServers) {
    public ClusterInfo {
        liveServers = List.copyOf(liveServers);
    }
}
