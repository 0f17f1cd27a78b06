package org.gtstore.metadata.server;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.EnumMap;
import java.util.Map;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.server.RaftServer;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.metadata.model.ServerEntry;
import org.gtstore.metadata.statemachine.AppliedMap;
import org.gtstore.metadata.statemachine.MetadataStateMachine;
import org.gtstore.proto.ServerState;

/**
 * A metadata member's state as Prometheus reads it at each scrape: its Raft role, term and
 * commit index, what its state machine applied, and the map it holds (epoch, data servers by
 * state, partitions under-replicated or without a replica).
 */
final class MetadataMetrics {
    private MetadataMetrics() {
    }

    static void register(PrometheusRegistry registry, RaftServer.Division division,
            MetadataStateMachine stateMachine) {
        GaugeWithCallback.builder().name("gtstore_metadata_raft_role")
                .help("1 for this member's current Raft role (LEADER, FOLLOWER, CANDIDATE...)")
                .labelNames("role").callback(cb -> {
                    RaftPeerRole role = division.getInfo().getCurrentRole();
                    for (RaftPeerRole r : new RaftPeerRole[] {RaftPeerRole.LEADER,
                        RaftPeerRole.FOLLOWER, RaftPeerRole.CANDIDATE, RaftPeerRole.LISTENER}) {
                        cb.call(r == role ? 1 : 0, r.name());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("gtstore_metadata_raft_term")
                .help("This member's current Raft term")
                .callback(cb -> cb.call(division.getInfo().getCurrentTerm())).register(registry);
        GaugeWithCallback.builder().name("gtstore_metadata_raft_commit_index")
                .help("The highest log index this member knows committed")
                .callback(cb -> cb.call(division.getRaftLog().getLastCommittedIndex()))
                .register(registry);
        GaugeWithCallback.builder().name("gtstore_metadata_applied_index")
                .help("The log index of the last command this member's state machine applied")
                .callback(cb -> cb.call(stateMachine.current().appliedIndex()))
                .register(registry);
        GaugeWithCallback.builder().name("gtstore_metadata_map_epoch")
                .help("The epoch of the partition map this member applied")
                .callback(cb -> cb.call(stateMachine.current().epoch())).register(registry);
        GaugeWithCallback.builder().name("gtstore_metadata_servers")
                .help("Data servers in the map, by state")
                .labelNames("state").callback(cb -> {
                    Map<ServerState, Integer> n = new EnumMap<>(ServerState.class);
                    for (ServerState st : new ServerState[] {ServerState.JOINING,
                        ServerState.ALIVE, ServerState.DEAD}) {
                        n.put(st, 0);
                    }
                    for (ServerEntry e : state(stateMachine).servers().values()) {
                        n.merge(e.state(), 1, Integer::sum);
                    }
                    n.forEach((st, count) -> cb.call(count, st.name()));
                }).register(registry);
        GaugeWithCallback.builder().name("gtstore_metadata_partitions")
                .help("Partitions with fewer than K replicas, and without any")
                .labelNames("health").callback(cb -> {
                    ClusterState s = state(stateMachine);
                    cb.call(s.isAssigned() ? s.underReplicatedCount() : 0, "under_replicated");
                    cb.call(s.isAssigned() ? s.unavailableCount() : 0, "unavailable");
                }).register(registry);
    }

    private static ClusterState state(MetadataStateMachine stateMachine) {
        AppliedMap m = stateMachine.current();
        return m.state();
    }
}
