package org.gtstore.gtctl.admin;

import java.util.Map;
import java.util.TreeMap;
import org.gtstore.proto.Chain;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;

/**
 * What a map says about partitions on the move, for {@code add-server --wait}, {@code drain
 * --wait} and status: copies under way (restores and moves), chains with a member still to
 * shed, and how evenly the live servers hold slots and heads.
 *
 * @param copying  chains with a joining replica
 * @param shedding chains with a leaving member or more than K replicas, no copy under way
 * @param slots    replica slots per live server that takes positions
 * @param heads    heads per live server that takes positions
 */
record MoveProgress(int copying, int shedding, Map<String, Integer> slots,
                    Map<String, Integer> heads) {

    static MoveProgress of(PartitionMap map) {
        int k = map.getSettings().getReplication();
        int copying = 0;
        int shedding = 0;
        Map<String, Integer> slots = new TreeMap<>();
        Map<String, Integer> heads = new TreeMap<>();
        for (ServerInfo s : map.getServersList()) {
            if (s.getState() != ServerState.DEAD && !s.getDraining()) {
                slots.put(s.getId(), 0);
                heads.put(s.getId(), 0);
            }
        }
        for (Chain c : map.getChainsList()) {
            if (!c.getJoining().isEmpty()) {
                copying++;
            } else if (!c.getLeaving().isEmpty() || c.getReplicasCount() > k) {
                shedding++;
            }
            c.getReplicasList().forEach(id -> slots.computeIfPresent(id, (x, n) -> n + 1));
            if (c.getReplicasCount() > 0) {
                heads.computeIfPresent(c.getReplicas(0), (x, n) -> n + 1);
            }
        }
        return new MoveProgress(copying, shedding, slots, heads);
    }

    /** Nothing under way, and slots and heads within one across the servers. */
    boolean balanced() {
        return copying == 0 && shedding == 0 && spread(slots) <= 1 && spread(heads) <= 1;
    }

    /** How many chains {@code serverId} is a member or the joining replica of. */
    static int positionsOf(PartitionMap map, String serverId) {
        int n = 0;
        for (Chain c : map.getChainsList()) {
            n += c.getReplicasList().contains(serverId) || c.getJoining().equals(serverId)
                    ? 1 : 0;
        }
        return n;
    }

    static int spread(Map<String, Integer> counts) {
        int max = counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        int min = counts.values().stream().mapToInt(Integer::intValue).min().orElse(0);
        return max - min;
    }

    /** "2 copying, 1 shedding; slots 436..439, heads 145..147". */
    String describe() {
        return copying + " copying, " + shedding + " shedding; slots " + range(slots)
                + ", heads " + range(heads);
    }

    /** "436..439": the least and the most of the counts. */
    static String range(Map<String, Integer> counts) {
        int max = counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        int min = counts.values().stream().mapToInt(Integer::intValue).min().orElse(0);
        return min + ".." + max;
    }
}
