package org.gtstore.metadata.command;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.metadata.model.PartitionChain;

/** Counting and balance checks shared by the placement and restore property tests. */
final class PlacementChecks {

    private PlacementChecks() {
    }

    /** Partition counts around the round size N and the sizes clusters are made with. */
    static List<Integer> gridPartitions(int n) {
        TreeSet<Integer> out = new TreeSet<>(List.of(1, 2, n - 1, n, n + 1, 2 * n, 3 * n + 1,
                8 * n, 8 * n + n / 2, 100, 256, 1024));
        out.remove(0);
        return new ArrayList<>(out);
    }

    /** Heads (or, with {@code headsOnly} false, replica slots) per server. */
    static Map<String, Integer> count(List<PartitionChain> chains, boolean headsOnly) {
        Map<String, Integer> out = new HashMap<>();
        for (PartitionChain c : chains) {
            List<String> ids = headsOnly ? List.of(c.head()) : c.replicas();
            for (String id : ids) {
                out.merge(id, 1, Integer::sum);
            }
        }
        return out;
    }

    /** Replica slots per live server, zero for one that holds none. */
    static Map<String, Integer> slotsOfLiveServers(ClusterState state) {
        Map<String, Integer> out = count(state.chains(), false);
        state.liveServers().forEach(s -> out.putIfAbsent(s.id(), 0));
        return out;
    }

    static void assertSpread(Map<String, Integer> counts, int maxSpread, String msg) {
        int min = counts.values().stream().mapToInt(Integer::intValue).min().orElse(0);
        int max = counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        assertTrue(max - min <= maxSpread, msg + " spread " + (max - min));
    }

    /** Heads of available chains per live server: the busiest at most 1.5x the mean. */
    static void assertHeadsWithinOneAndAHalfOfTheMean(ClusterState state, String msg) {
        Map<String, Integer> heads = new HashMap<>();
        state.liveServers().forEach(s -> heads.put(s.id(), 0));
        int available = 0;
        for (PartitionChain c : state.chains()) {
            if (!c.isUnavailable()) {
                heads.merge(c.head(), 1, Integer::sum);
                available++;
            }
        }
        int max = heads.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        assertTrue(max * heads.size() <= 1.5 * available, msg + " heads " + heads
                + " max/mean " + (double) max * heads.size() / available);
    }
}
