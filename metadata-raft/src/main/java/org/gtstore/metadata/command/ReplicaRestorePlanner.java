package org.gtstore.metadata.command;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.metadata.model.PartitionChain;
import org.gtstore.metadata.model.ServerEntry;
import org.gtstore.proto.StartCopy;

/**
 * Plans how to bring under-replicated chains back to K replicas: for each available chain with
 * fewer than K replicas and no copy in progress, the least loaded live server that is not
 * already in it joins at the tail end. Load counts replica slots plus copies in progress, so
 * the plan spreads the dead server's share over everyone instead of piling it on one spare.
 * Unavailable chains are left alone: they come back only with one of their last replicas.
 */
public final class ReplicaRestorePlanner {

    /**
     * @param copies StartCopy commands, to be applied in order; each expects the epoch its
     *               predecessor produces (the first expects the state's epoch)
     * @param stuck  under-replicated chains for which no live server was available
     */
    public record Plan(List<StartCopy> copies, int stuck) {
        public Plan {
            copies = List.copyOf(copies);
        }
    }

    private ReplicaRestorePlanner() {
    }

    public static Plan plan(ClusterState state) {
        if (!state.hasSettings() || !state.isAssigned()) {
            return new Plan(List.of(), 0);
        }
        int k = state.settings().replication();
        List<ServerEntry> live = state.liveServers();
        Map<String, int[]> load = new HashMap<>();
        for (ServerEntry s : live) {
            load.put(s.id(), new int[2]);
        }
        for (PartitionChain c : state.chains()) {
            for (String id : c.replicas()) {
                bump(load, id, id.equals(c.head()));
            }
            if (c.hasJoining()) {
                bump(load, c.joining(), false);
            }
        }
        List<StartCopy> copies = new ArrayList<>();
        int stuck = 0;
        long epoch = state.epoch();
        for (PartitionChain c : state.chains()) {
            if (c.isUnavailable() || c.hasJoining() || c.replicas().size() >= k) {
                continue;
            }
            String best = leastLoaded(live, load, c);
            if (best == null) {
                stuck++;
                continue;
            }
            bump(load, best, false);
            copies.add(StartCopy.newBuilder().setExpectedEpoch(epoch).setPartition(c.partition())
                    .setServerId(best).build());
            epoch++;
        }
        return new Plan(copies, stuck);
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

    private static void bump(Map<String, int[]> load, String id, boolean head) {
        int[] l = load.get(id);
        if (l != null) {
            l[0]++;
            if (head) {
                l[1]++;
            }
        }
    }
}
