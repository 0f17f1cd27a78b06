package org.gtstore.metadata.model;

import org.gtstore.proto.ClusterSettings;

/**
 * The settings fixed when the cluster forms: replication factor K, the partition count, and how
 * many servers the first assignment waits for. They are logged once (InitCluster) so that a
 * member restarted with different flags cannot change them.
 */
public record Settings(int replication, int partitions, int initialServers) {

    public Settings {
        if (replication < 1) {
            throw new IllegalArgumentException("replication < 1: " + replication);
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions < 1: " + partitions);
        }
        if (initialServers < replication) {
            throw new IllegalArgumentException("initialServers < replication: "
                    + initialServers + " < " + replication);
        }
    }

    public ClusterSettings toProto() {
        return ClusterSettings.newBuilder().setReplication(replication).setPartitions(partitions)
                .setInitialServers(initialServers).build();
    }

    public static Settings fromProto(ClusterSettings p) {
        return new Settings(p.getReplication(), p.getPartitions(), p.getInitialServers());
    }
}
