package org.gtstore.metadata.statemachine;

import java.util.Objects;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.proto.PartitionMap;

/**
 * What a member has applied: the state, its wire form (built once per epoch and shared by every
 * GetMap and watch stream), and the log index that produced it.
 */
public record AppliedMap(ClusterState state, PartitionMap map, long appliedIndex) {

    public AppliedMap {
        Objects.requireNonNull(state, "state == null");
        Objects.requireNonNull(map, "map == null");
    }

    public static AppliedMap of(ClusterState state, long appliedIndex) {
        return new AppliedMap(state, state.toProto(), appliedIndex);
    }

    public long epoch() {
        return state.epoch();
    }
}
