package org.gtstore.metadata.command;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.metadata.model.PartitionChain;
import org.gtstore.metadata.model.ServerEntry;
import org.gtstore.proto.CopyEntry;
import org.gtstore.proto.MetaCommand;
import org.gtstore.proto.StartCopy;

/**
 * Plans how to bring under-replicated chains back to K replicas, all of them at once so that the
 * whole plan is one StartCopy command and one map epoch: each available chain with fewer
 * than K replicas and no copy in progress gets a live server that is not already in it (and
 * not draining, unless too few others are left for K),
 * joining at the tail end. Load counts replica slots plus copies in progress. {@link CopyFlow}
 * picks the servers: slots end level (within one where membership allows), so the dead
 * server's share spreads over everyone instead of piling on one spare, and among the level
 * choices it prefers a server the chain's tail already forwards to, so the map keeps few chain
 * lanes. A chain the flow could not place goes to its least loaded candidate, and a final
 * rebalance moves planned copies off any server left two above another that could take them.
 * Unavailable chains are left alone: they come back only with one of their last replicas.
 */
public final class ReplicaRestorePlanner {

    /**
     * @param expectedEpoch the epoch of the state the plan was made for
     * @param copies        one entry per under-replicated chain that gets a joining replica
     * @param stuck         under-replicated chains for which no live server was available
     */
    public record Plan(long expectedEpoch, List<CopyEntry> copies, int stuck) {
        public Plan {
            copies = List.copyOf(copies);
        }

        public boolean isEmpty() {
            return copies.isEmpty();
        }

        /** The whole plan as one StartCopy command: one epoch however many chains it fixes. */
        public MetaCommand command() {
            if (copies.isEmpty()) {
                throw new IllegalStateException("an empty plan has no command");
            }
            return MetaCommand.newBuilder().setStartCopy(StartCopy.newBuilder()
                    .setExpectedEpoch(expectedEpoch).addAllEntries(copies)).build();
        }
    }

    private ReplicaRestorePlanner() {
    }

    /**
     * True if some available chain is short of K and has no copy in progress: the cheap check
     * a leader makes on every tick before it plans (which costs O(partitions) of garbage).
     */
    public static boolean needsCopies(ClusterState state) {
        if (!state.hasSettings() || !state.isAssigned()) {
            return false;
        }
        int k = state.settings().replication();
        List<PartitionChain> chains = state.chains();
        for (int i = 0; i < chains.size(); i++) {
            PartitionChain c = chains.get(i);
            if (!c.isUnavailable() && !c.settling() && !c.hasJoining()
                    && c.replicas().size() < k) {
                return true;
            }
        }
        return false;
    }

    public static Plan plan(ClusterState state) {
        if (!state.hasSettings() || !state.isAssigned()) {
            return new Plan(state.epoch(), List.of(), 0);
        }
        int k = state.settings().replication();
        List<ServerEntry> live = candidates(state, k);
        Map<String, int[]> load = loads(state, live);
        List<PartitionChain> targets = new ArrayList<>();
        int stuck = 0;
        for (PartitionChain c : state.chains()) {
            if (c.isUnavailable() || c.settling() || c.hasJoining() || c.replicas().size() >= k) {
                continue;
            }
            if (leastLoaded(live, load, c) == null) {
                stuck++;
            } else {
                targets.add(c);
            }
        }
        List<String> ids = live.stream().map(ServerEntry::id).toList();
        String[] flow = CopyFlow.picks(state.chains(), targets, ids,
                ids.stream().mapToInt(id -> load.get(id)[0]).toArray());
        List<String> picks = new ArrayList<>(targets.size());
        for (int i = 0; i < targets.size(); i++) {
            picks.add(flow[i]);
            if (flow[i] != null) {
                bump(load, flow[i], 1);
            }
        }
        for (int i = 0; i < targets.size(); i++) {
            if (picks.get(i) == null) {
                String best = leastLoaded(live, load, targets.get(i));
                bump(load, best, 1);
                picks.set(i, best);
            }
        }
        rebalance(live, load, targets, picks);
        List<CopyEntry> copies = new ArrayList<>(picks.size());
        for (int i = 0; i < picks.size(); i++) {
            copies.add(CopyEntry.newBuilder().setPartition(targets.get(i).partition())
                    .setServerId(picks.get(i)).build());
        }
        return new Plan(state.epoch(), copies, stuck);
    }

    /**
     * The live servers that take positions; draining ones too if the others are fewer than
     * K: K replicas come before a drain (which then waits for a server to be added).
     */
    static List<ServerEntry> candidates(ClusterState state, int k) {
        List<ServerEntry> taking = state.liveServers().stream()
                .filter(ServerEntry::takesPositions).toList();
        return taking.size() >= k ? taking : state.liveServers();
    }

    /** Per candidate server: {replica slots plus copies in progress, heads}. */
    private static Map<String, int[]> loads(ClusterState state, List<ServerEntry> live) {
        Map<String, int[]> load = new HashMap<>();
        for (ServerEntry s : live) {
            load.put(s.id(), new int[2]);
        }
        for (PartitionChain c : state.chains()) {
            for (String id : c.replicas()) {
                bump(load, id, 1);
                if (id.equals(c.head()) && load.containsKey(id)) {
                    load.get(id)[1]++;
                }
            }
            if (c.hasJoining()) {
                bump(load, c.joining(), 1);
            }
        }
        return load;
    }

    /**
     * Chains the flow left to the least loaded candidate can end unbalanced when the last of
     * them already hold the least loaded servers. Each round finds a path of planned copies
     * from a most loaded server to one loaded at least two less (copy 1 moves from A to B,
     * copy 2 from B to C, ...) and moves them, which lowers A by one, raises the end by one
     * and leaves the middle as it was. Existing replicas are never moved.
     */
    private static void rebalance(List<ServerEntry> live, Map<String, int[]> load,
                                  List<PartitionChain> targets, List<String> picks) {
        for (int round = 0; round <= picks.size() * live.size(); round++) {
            int max = Integer.MIN_VALUE;
            for (ServerEntry s : live) {
                max = Math.max(max, load.get(s.id())[0]);
            }
            boolean moved = false;
            for (ServerEntry s : live) {
                if (load.get(s.id())[0] == max && movePath(live, load, targets, picks, s.id(),
                        max - 2)) {
                    moved = true;
                    break;
                }
            }
            if (!moved) {
                return;
            }
        }
    }

    /** Breadth-first search for a chain of copy moves from {@code from} to a light server. */
    private static boolean movePath(List<ServerEntry> live, Map<String, int[]> load,
                                    List<PartitionChain> targets, List<String> picks,
                                    String from, int lightMax) {
        Map<String, Integer> viaCopy = new HashMap<>();
        Map<String, String> parent = new HashMap<>();
        java.util.ArrayDeque<String> queue = new java.util.ArrayDeque<>(List.of(from));
        parent.put(from, from);
        while (!queue.isEmpty()) {
            String a = queue.poll();
            for (int i = 0; i < picks.size(); i++) {
                if (!picks.get(i).equals(a)) {
                    continue;
                }
                for (ServerEntry s : live) {
                    String b = s.id();
                    if (parent.containsKey(b) || targets.get(i).contains(b)) {
                        continue;
                    }
                    parent.put(b, a);
                    viaCopy.put(b, i);
                    if (load.get(b)[0] <= lightMax) {
                        applyPath(load, picks, parent, viaCopy, from, b);
                        return true;
                    }
                    queue.add(b);
                }
            }
        }
        return false;
    }

    private static void applyPath(Map<String, int[]> load, List<String> picks,
                                  Map<String, String> parent, Map<String, Integer> viaCopy,
                                  String from, String to) {
        for (String b = to; !b.equals(from); b = parent.get(b)) {
            picks.set(viaCopy.get(b), b);
        }
        bump(load, from, -1);
        bump(load, to, 1);
    }

    private static String leastLoaded(List<ServerEntry> live, Map<String, int[]> load,
                                      PartitionChain chain) {
        String best = null;
        for (ServerEntry s : live) {
            if (chain.contains(s.id())) {
                continue;
            }
            if (best == null || compare(load.get(s.id()), load.get(best)) < 0) {
                best = s.id();
            }
        }
        return best;
    }

    /** Fewer slots first, then fewer heads; ties keep the earlier (smaller) id. */
    private static int compare(int[] a, int[] b) {
        int bySlots = Integer.compare(a[0], b[0]);
        return bySlots != 0 ? bySlots : Integer.compare(a[1], b[1]);
    }

    private static void bump(Map<String, int[]> load, String id, int slots) {
        int[] l = load.get(id);
        if (l != null) {
            l[0] += slots;
        }
    }
}
