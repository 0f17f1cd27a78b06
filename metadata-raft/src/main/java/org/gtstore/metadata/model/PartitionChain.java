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
 * chain is ordered by tip, most data first ({@link #settled}).
 *
 * <p>Members declared dead while the chain kept serving are remembered as {@code departed}
 * (newest last, a few, until they register again). When the last member dies they become last
 * replicas with it: a power cut of every replica leaves each a different prefix of its log,
 * and the order in which the metadata declared them dead says nothing about which kept most.
 * Each that registers again with its disk reports its tip; once all have (or the leader stops
 * waiting, {@link #revivedFromBest}), the one holding most serves the partition again.
 * {@code tips} is empty unless settling or unavailable.
 *
 * <p>A chain <em>moves</em> (rebalancing, a drain) by taking a joining replica while it has K
 * members, one of which is {@code leaving}: once the joining replica is the tail the leaving
 * member is shed, so the chain never has fewer than K. A leaving tail is shed only after it
 * applied the map in which it stopped being the tail ({@link #joiningCaughtUp}).
 *
 * <pre>
 *   writes -> replicas[0] (head) -> ... -> replicas[n-1] (tail) -> reads
 *                                               |
 *                                               +--> joining (copy, not a member)
 * </pre>
 */
public record PartitionChain(int partition, List<String> replicas, String joining, long epoch,
                             List<String> lastReplicas, boolean settling,
                             SortedMap<String, Tip> tips, List<String> departed,
                             String leaving) {

    /** The value of {@link #joining()} when no replica is joining. */
    public static final String NONE = "";

    public PartitionChain {
        if (partition < 0) {
            throw new IllegalArgumentException("partition < 0: " + partition);
        }
        replicas = List.copyOf(replicas);
        lastReplicas = List.copyOf(lastReplicas);
        departed = List.copyOf(departed);
        tips = Collections.unmodifiableSortedMap(new TreeMap<>(tips));
        Objects.requireNonNull(joining, "joining == null");
        Objects.requireNonNull(leaving, "leaving == null");
        if (!leaving.isEmpty() && (!replicas.contains(leaving) || settling)) {
            throw new IllegalArgumentException("partition " + partition + ": leaving member "
                    + leaving + " is not in chain " + replicas + " (or it is settling)");
        }
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
        if (replicas.isEmpty() ? !departed.isEmpty() || settling
                : departed.stream().anyMatch(replicas::contains)) {
            throw new IllegalArgumentException("partition " + partition + ": departed "
                    + departed + " or settling on chain " + replicas + " (or unavailable)");
        }
        List<String> reporters = reporters(replicas, lastReplicas, settling);
        if (!reporters.containsAll(tips.keySet())) {
            throw new IllegalArgumentException("partition " + partition + ": tips " + tips.keySet()
                    + " of a chain that is neither settling nor unavailable, or not theirs "
                    + reporters);
        }
    }

    public PartitionChain(int partition, List<String> replicas, String joining, long epoch,
                          List<String> lastReplicas) {
        this(partition, replicas, joining, epoch, lastReplicas, false, new TreeMap<>(),
                List.of(), NONE);
    }

    public static PartitionChain of(int partition, List<String> replicas, long epoch) {
        return new PartitionChain(partition, replicas, NONE, epoch, List.of());
    }

    /**
     * This chain with other replicas and joining replica in a new epoch; a settling chain stays
     * settling, with the tips of the replicas it keeps, and the departed stay departed. No
     * member is leaving: a move ends with the change of members.
     */
    public PartitionChain withMembers(List<String> nextReplicas, String nextJoining,
                                      long nextEpoch) {
        SortedMap<String, Tip> kept = new TreeMap<>(tips);
        kept.keySet().retainAll(nextReplicas);
        List<String> stillDeparted = new ArrayList<>(departed);
        stillDeparted.removeAll(nextReplicas);
        return new PartitionChain(partition, nextReplicas, nextJoining, nextEpoch, lastReplicas,
                settling && !nextReplicas.isEmpty(), kept, stillDeparted, NONE);
    }

    /**
     * This chain without {@code dead}, a member declared dead, in a new epoch: it departs (the
     * newest of at most {@code keep}), or, if it was the last member, the chain is unavailable
     * with it and the departed as its last replicas (its joining replica, whose copy never
     * finished, is dropped: a partial copy must never serve).
     */
    public PartitionChain withoutDeadMember(String dead, long nextEpoch, int keep) {
        List<String> rest = new ArrayList<>(replicas);
        rest.remove(dead);
        List<String> gone = new ArrayList<>(departed);
        gone.remove(dead);
        gone.add(dead);
        if (rest.isEmpty()) {
            return new PartitionChain(partition, List.of(), NONE, nextEpoch, gone);
        }
        PartitionChain next = withMembers(rest, joining, nextEpoch);
        List<String> kept = gone.subList(Math.max(0, gone.size() - keep), gone.size());
        return new PartitionChain(partition, next.replicas, next.joining, nextEpoch,
                List.of(), next.settling, next.tips, kept, NONE);
    }

    /**
     * This chain once {@code server} registered again (same epoch unless its last replicas
     * change): it is no longer departed (it is a live server now, whatever it holds); in an
     * unavailable chain its tip is void (it reports again), and with another disk it holds
     * nothing of the partition, so it is no longer a last replica unless it is the only one.
     */
    public PartitionChain afterRegister(String server, boolean sameDisk, long nextEpoch) {
        List<String> stillDeparted = new ArrayList<>(departed);
        stillDeparted.remove(server);
        SortedMap<String, Tip> kept = new TreeMap<>(tips);
        kept.remove(server);
        List<String> last = new ArrayList<>(lastReplicas);
        if (!sameDisk && last.size() > 1) {
            last.remove(server);
        }
        long nextChainEpoch = last.equals(lastReplicas) ? epoch : nextEpoch;
        return new PartitionChain(partition, replicas, joining, nextChainEpoch, last, settling,
                kept, stillDeparted, leaving);
    }

    /** This unavailable chain without the tip of {@code server}, which died again. */
    public PartitionChain withoutTip(String server) {
        SortedMap<String, Tip> kept = new TreeMap<>(tips);
        kept.remove(server);
        return new PartitionChain(partition, replicas, joining, epoch, lastReplicas, settling,
                kept, departed, leaving);
    }

    /**
     * This chain settling, without a tip of {@code restarted}: from now, in a new epoch, or
     * still, in its epoch (a tip names its reporter's incarnation, so the old one's is void).
     */
    public PartitionChain settlingWithout(String restarted, long nextEpoch) {
        SortedMap<String, Tip> kept = new TreeMap<>(tips);
        kept.remove(restarted);
        return new PartitionChain(partition, replicas, joining, settling ? epoch : nextEpoch,
                lastReplicas, true, kept, departed, NONE);
    }

    /** This settling or unavailable chain with the server's tip (same epoch: nothing moved). */
    public PartitionChain withTip(String server, Tip tip) {
        SortedMap<String, Tip> more = new TreeMap<>(tips);
        more.put(server, tip);
        return new PartitionChain(partition, replicas, joining, epoch, lastReplicas, settling,
                more, departed, leaving);
    }

    /** True if this chain is settling and every member's tip is in. */
    public boolean readyToSettle() {
        return settling && tips.keySet().containsAll(replicas);
    }

    /** True if this chain is unavailable and every last replica's tip is in. */
    public boolean readyToRevive() {
        return isUnavailable() && tips.keySet().containsAll(lastReplicas);
    }

    /**
     * True if this chain waits for the tip of {@code server}: a settling chain for each
     * member's, an unavailable one for each last replica's.
     */
    public boolean awaitsTipOf(String server) {
        return reporters(replicas, lastReplicas, settling).contains(server)
                && !tips.containsKey(server);
    }

    /** Who reports tips to a chain: its members while settling, its last replicas if none. */
    private static List<String> reporters(List<String> replicas, List<String> lastReplicas,
                                          boolean settling) {
        return settling ? replicas : replicas.isEmpty() ? lastReplicas : List.of();
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
                new TreeMap<>(), departed, NONE);
    }

    /**
     * This unavailable chain served again, in a new epoch, by the reporter holding most (on a
     * tie the one declared dead last, which served longest). Needs at least one tip.
     */
    public PartitionChain revivedFromBest(long nextEpoch) {
        String best = null;
        for (String s : lastReplicas) {
            Tip t = tips.get(s);
            if (t != null && (best == null || t.compareTo(tips.get(best)) >= 0)) {
                best = s;
            }
        }
        if (best == null) {
            throw new IllegalStateException("partition " + partition + ": no tip to revive from");
        }
        return of(partition, List.of(best), nextEpoch);
    }

    /** True when every replica died: nobody serves the partition until one of them returns. */
    public boolean isUnavailable() {
        return replicas.isEmpty();
    }

    public boolean hasJoining() {
        return !joining.isEmpty();
    }

    /** True while a move is under way: a member leaves once the joining replica is tail. */
    public boolean hasLeaving() {
        return !leaving.isEmpty();
    }

    /**
     * This chain with {@code server} joining to take the place of member {@code leaving} (a
     * move), in a new epoch. The departed stay departed.
     */
    public PartitionChain withMove(String server, String leavingMember, long nextEpoch) {
        return new PartitionChain(partition, replicas, server, nextEpoch, lastReplicas, false,
                new TreeMap<>(), departed, leavingMember);
    }

    /**
     * This chain once its joining replica caught up, in a new epoch: the joining replica is the
     * tail, and the leaving member is shed too unless it was the tail, which may still serve
     * reads until it applies this map; it stays leaving, shed by {@link #withoutLeaving}.
     */
    public PartitionChain joiningCaughtUp(long nextEpoch) {
        List<String> next = new ArrayList<>(replicas);
        next.add(joining);
        boolean leavingTail = hasLeaving() && leaving.equals(tail());
        if (hasLeaving() && !leavingTail) {
            next.remove(leaving);
        }
        PartitionChain c = withMembers(next, NONE, nextEpoch);
        return leavingTail ? c.withLeavingMember(leaving) : c;
    }

    /** This chain, in its epoch, with {@code member} leaving; departed bookkeeping stays. */
    private PartitionChain withLeavingMember(String member) {
        return new PartitionChain(partition, replicas, joining, epoch, lastReplicas, settling,
                tips, departed, member);
    }

    /** This chain without {@code server} among its departed (bookkeeping: same epoch). */
    public PartitionChain withoutDeparted(String server) {
        List<String> rest = new ArrayList<>(departed);
        rest.remove(server);
        return new PartitionChain(partition, replicas, joining, epoch, lastReplicas, settling,
                tips, rest, leaving);
    }

    /** This chain without its leaving member, which is no longer the tail, in a new epoch. */
    public PartitionChain withoutLeaving(long nextEpoch) {
        List<String> next = new ArrayList<>(replicas);
        next.remove(leaving);
        return withMembers(next, joining, nextEpoch);
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
                .setSettling(settling).addAllDeparted(departed).setLeaving(leaving);
        tips.forEach((server, tip) -> b.addTips(tip.toProto(server)));
        return b.build();
    }

    public static PartitionChain fromProto(Chain c) {
        SortedMap<String, Tip> tips = new TreeMap<>();
        for (ReplicaTip t : c.getTipsList()) {
            tips.put(t.getServerId(), Tip.fromProto(t));
        }
        return new PartitionChain(c.getPartition(), c.getReplicasList(), c.getJoining(),
                c.getEpoch(), c.getLastReplicasList(), c.getSettling(), tips,
                c.getDepartedList(), c.getLeaving());
    }
}
