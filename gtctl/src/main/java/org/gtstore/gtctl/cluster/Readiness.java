package org.gtstore.gtctl.cluster;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.gtstore.proto.Chain;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;

/**
 * Decides whether a freshly started cluster is ready for clients: the metadata group has a
 * leader, every launched server is registered and alive, and every partition has a chain of K
 * live replicas. Pure, so the rules are unit tested; the launcher supplies the observations.
 */
final class Readiness {
    private Readiness() {
    }

    /**
     * Why the cluster is not ready yet, or empty when it is.
     *
     * @param leaderKnown whether some member answered that it is the leader
     * @param map the map as last read, or null if none could be read
     * @param serverIds the data servers that were launched
     * @param replication K
     */
    static Optional<String> notReadyReason(
            boolean leaderKnown, PartitionMap map, List<String> serverIds, int replication) {
        if (!leaderKnown) {
            return Optional.of("the metadata group has no leader yet");
        }
        if (map == null) {
            return Optional.of("no metadata member answered with the map");
        }
        Map<String, ServerInfo> servers = new HashMap<>();
        map.getServersList().forEach(s -> servers.put(s.getId(), s));
        for (String id : serverIds) {
            ServerInfo info = servers.get(id);
            if (info == null) {
                return Optional.of(id + " has not registered (map epoch " + map.getEpoch() + ")");
            }
            if (info.getState() == ServerState.DEAD) {
                return Optional.of(id + " is DEAD in map epoch " + map.getEpoch());
            }
        }
        int partitions = map.getSettings().getPartitions();
        if (partitions == 0 || map.getChainsCount() < partitions) {
            return Optional.of("partitions are not assigned yet (map epoch " + map.getEpoch()
                    + ")");
        }
        int shortChains = 0;
        for (Chain chain : map.getChainsList()) {
            if (liveReplicas(chain, servers) < replication) {
                shortChains++;
            }
        }
        if (shortChains > 0) {
            return Optional.of(shortChains + " of " + partitions + " partitions have fewer than "
                    + replication + " live replicas (map epoch " + map.getEpoch() + ")");
        }
        return Optional.empty();
    }

    private static int liveReplicas(Chain chain, Map<String, ServerInfo> servers) {
        int live = 0;
        for (String id : chain.getReplicasList()) {
            ServerInfo info = servers.get(id);
            if (info != null && info.getState() == ServerState.ALIVE) {
                live++;
            }
        }
        return live;
    }
}
