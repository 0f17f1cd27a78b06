package org.gtstore.metadata.model;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import org.gtstore.proto.Chain;

/**
 * The chain of one partition: replicas head first, an optional joining replica being copied at
 * the tail end, and, when every replica died, the last members (one of which must come back
 * before the partition is served again: the metadata never invents data by handing a
 * partition to empty servers).
 *
 * <pre>
 *   writes -> replicas[0] (head) -> ... -> replicas[n-1] (tail) -> reads
 *                                               |
 *                                               +--> joining (copy, not a member)
 * </pre>
 */
public record PartitionChain(int partition, List<String> replicas, String joining, long epoch,
                             List<String> lastReplicas) {

    /** The value of {@link #joining()} when no replica is joining. */
    public static final String NONE = "";

    public PartitionChain {
        if (partition < 0) {
            throw new IllegalArgumentException("partition < 0: " + partition);
        }
        replicas = List.copyOf(replicas);
        lastReplicas = List.copyOf(lastReplicas);
        Objects.requireNonNull(joining, "joining == null");
        if (new HashSet<>(replicas).size() != replicas.size()) {
            throw new IllegalArgumentException("partition " + partition
                    + ": a server appears twice in chain " + replicas);
        }
        if (!joining.isEmpty() && replicas.contains(joining)) {
            throw new IllegalArgumentException("partition " + partition + ": joining replica "
                    + joining + " is already in chain " + replicas);
        }
        if (!replicas.isEmpty() && !lastReplicas.isEmpty()) {
            throw new IllegalArgumentException("partition " + partition
                    + ": last_replicas is set on an available chain " + replicas);
        }
    }

    public static PartitionChain of(int partition, List<String> replicas, long epoch) {
        return new PartitionChain(partition, replicas, NONE, epoch, List.of());
    }

    /** True when every replica died: nobody serves the partition until one of them returns. */
    public boolean isUnavailable() {
        return replicas.isEmpty();
    }

    public boolean hasJoining() {
        return !joining.isEmpty();
    }

    public boolean contains(String serverId) {
        return replicas.contains(serverId);
    }

    public String head() {
        return replicas.isEmpty() ? NONE : replicas.get(0);
    }

    public String tail() {
        return replicas.isEmpty() ? NONE : replicas.get(replicas.size() - 1);
    }

    public Chain toProto() {
        return Chain.newBuilder().setPartition(partition).addAllReplicas(replicas)
                .setJoining(joining).setEpoch(epoch).addAllLastReplicas(lastReplicas).build();
    }

    public static PartitionChain fromProto(Chain c) {
        return new PartitionChain(c.getPartition(), c.getReplicasList(), c.getJoining(),
                c.getEpoch(), c.getLastReplicasList());
    }
}
