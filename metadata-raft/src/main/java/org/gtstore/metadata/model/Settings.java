package org.gtstore.metadata.model;

import org.gtstore.proto.ClusterSettings;

/**
 * The settings fixed when the cluster forms: replication factor K, the partition count, how
 * many servers the first assignment waits for, and the cluster's id (empty until the leader
 * picks one for InitCluster). They are logged once (InitCluster) so that a member restarted
 * with different flags cannot change them.
 */
public record Settings(int replication, int partitions, int initialServers, String clusterId) {

    /** Settings without a cluster id yet. */
    public Settings(int replication, int partitions, int initialServers) {
        this(replication, partitions, initialServers, "");
    }

    public Settings {
        if (replication < 1) {
            throw new IllegalArgumentException("replication < 1: " + replication);
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions < 1: " + partitions);
        }
        if (clusterId == null) {
            throw new IllegalArgumentException("clusterId is null");
        }
        if (initialServers < replication) {
            throw new IllegalArgumentException("initialServers < replication: "
                    + initialServers + " < " + replication);
        }
    }

    /** These settings with the given cluster id. */
    public Settings withClusterId(String id) {
        return new Settings(replication, partitions, initialServers, id);
    }

    public ClusterSettings toProto() {
        return ClusterSettings.newBuilder().setReplication(replication).setPartitions(partitions)
                .setInitialServers(initialServers).setClusterId(clusterId).build();
    }

    public static Settings fromProto(ClusterSettings p) {
        return new Settings(p.getReplication(), p.getPartitions(), p.getInitialServers(),
                p.getClusterId());
    }
}
