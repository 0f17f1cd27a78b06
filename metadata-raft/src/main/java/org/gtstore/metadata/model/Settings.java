package org.gtstore.metadata.model;

import org.gtstore.proto.ClusterSettings;
import org.gtstore.proto.Durability;

/**
 * The settings fixed when the cluster forms: replication factor K, the partition count, how
 * many servers the first assignment waits for, the cluster's id (empty until the leader picks
 * one for InitCluster) and when a write is acknowledged (durability). They are logged once
 * (InitCluster) so that a member restarted with different flags cannot change them.
 */
public record Settings(int replication, int partitions, int initialServers, String clusterId,
        Durability durability) {

    /** Replicated durability, without a cluster id yet. */
    public Settings(int replication, int partitions, int initialServers) {
        this(replication, partitions, initialServers, "", Durability.REPLICATED);
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
        if (durability == null || durability == Durability.UNRECOGNIZED) {
            throw new IllegalArgumentException("unknown durability: " + durability);
        }
        if (initialServers < replication) {
            throw new IllegalArgumentException("initialServers < replication: "
                    + initialServers + " < " + replication);
        }
    }

    /** These settings with the given cluster id. */
    public Settings withClusterId(String id) {
        return new Settings(replication, partitions, initialServers, id, durability);
    }

    public ClusterSettings toProto() {
        return ClusterSettings.newBuilder().setReplication(replication).setPartitions(partitions)
                .setInitialServers(initialServers).setClusterId(clusterId)
                .setDurability(durability).build();
    }

    public static Settings fromProto(ClusterSettings p) {
        return new Settings(p.getReplication(), p.getPartitions(), p.getInitialServers(),
                p.getClusterId(), p.getDurability());
    }
}
