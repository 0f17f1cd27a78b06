package org.gtstore.metadata.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.gtstore.proto.Chain;
import org.gtstore.proto.ReplicaTip;

/**
 * The chain of one partition: replicas head first, an optional joining replica being copied at
 * the tail end, and, when every replica died, the last members (one of which must come back
 * before the partition is served again: the metadata never invents data by handing a
 * partition to empty servers).
 *
 * <p>A chain is <em>settling</em> while the metadata chooses its head after the head restarted
 * on its store (which may have lost what a power cut took from its log, while a successor kept
 * it): the head takes no writes, every member reports its {@link Tip}, and once all have, the
 * chain is ordered by tip, most data first ({@link #settled}). {@code tips} is empty unless
 * settling.
 *
 * <pre>
 *   writes -> replicas[0] (head) -> ... -> replicas[n-1] (tail) -> reads
 *                                               |
 *                                               +--> joining (copy, not a member)
 * </pre>
 */
public record PartitionChain(int partition, List<String> replicas, String joining, long epoch,
                             List<String> lastReplicas, boolean settling,
                             SortedMap<String, Tip> tips) {

    /** The value of {@link #joining()} when no replica is joining. */
    public static final String NONE = "";

    public PartitionChain {
        if (partition < 0) {
            throw new IllegalArgumentException("partition < 0: " + partition);
        }
        replicas = List.copyOf(replicas);
        lastReplicas = List.copyOf(lastReplicas);
        tips = Collections.unmodifiableSortedMap(new TreeMap<>(tips));
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
        if (!settling && !tips.isEmpty() || !replicas.containsAll(tips.keySet())) {
            throw new IllegalArgumentException("partition " + partition + ": tips " + tips.keySet()
                    + " of a chain that is not settling or not theirs " + replicas);
        }
    }

    public PartitionChain(int partition, List<String> replicas, String joining, long epoch,
                          List<String> lastReplicas) {
        this(partition, replicas, joining, epoch, lastReplicas, false, new TreeMap<>());
    }

    public static PartitionChain of(int partition, List<String> replicas, long epoch) {
        return new PartitionChain(partition, replicas, NONE, epoch, List.of());
    }

    /**
     * This chain with other replicas and joining replica in a new epoch; a settling chain stays
     * settling, with the tips of the replicas it keeps.
     */
    public PartitionChain withMembers(List<String> nextReplicas, String nextJoining,
                                      long nextEpoch) {
        SortedMap<String, Tip> kept = new TreeMap<>(tips);
        kept.keySet().retainAll(nextReplicas);
        return new PartitionChain(partition, nextReplicas, nextJoining, nextEpoch, lastReplicas,
                settling && !nextReplicas.isEmpty(), kept);
    }

    /**
     * This chain settling, without a tip of {@code restarted}: from now, in a new epoch, or
     * still, in its epoch (a tip names its reporter's incarnation, so the old one's is void).
     */
    public PartitionChain settlingWithout(String restarted, long nextEpoch) {
        SortedMap<String, Tip> kept = new TreeMap<>(tips);
        kept.remove(restarted);
        return new PartitionChain(partition, replicas, joining, settling ? epoch : nextEpoch,
                lastReplicas, true, kept);
    }

    /** This settling chain with the member's tip (same epoch: nothing moved yet). */
    public PartitionChain withTip(String member, Tip tip) {
        SortedMap<String, Tip> more = new TreeMap<>(tips);
        more.put(member, tip);
        return new PartitionChain(partition, replicas, joining, epoch, lastReplicas, true, more);
    }

    /** True if this chain is settling and every member's tip is in. */
    public boolean readyToSettle() {
        return settling && tips.keySet().containsAll(replicas);
    }

    /**
     * The settled chain, in a new epoch: members ordered by tip, most data first (ties keep
     * their order), so no successor holds more than its predecessor and the head holds the
     * most. The joining replica stays if the tail it copies from does.
     */
    public PartitionChain settled(long nextEpoch) {
        List<String> order = new ArrayList<>(replicas);
        order.sort(Comparator.comparing((String s) -> tips.get(s)).reversed());
        String keptJoining = order.get(order.size() - 1).equals(tail()) ? joining : NONE;
        return new PartitionChain(partition, order, keptJoining, nextEpoch, lastReplicas, false,
                new TreeMap<>());
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
        Chain.Builder b = Chain.newBuilder().setPartition(partition).addAllReplicas(replicas)
                .setJoining(joining).setEpoch(epoch).addAllLastReplicas(lastReplicas)
                .setSettling(settling);
        tips.forEach((server, tip) -> b.addTips(tip.toProto(server)));
        return b.build();
    }

    public static PartitionChain fromProto(Chain c) {
        SortedMap<String, Tip> tips = new TreeMap<>();
        for (ReplicaTip t : c.getTipsList()) {
            tips.put(t.getServerId(), Tip.fromProto(t));
        }
        return new PartitionChain(c.getPartition(), c.getReplicasList(), c.getJoining(),
                c.getEpoch(), c.getLastReplicasList(), c.getSettling(), tips);
    }
}
