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

    /**
     * The map that follows this one: its wire form reuses this one's messages for every chain
     * the new state did not replace, so an epoch costs what it changed, not the whole map.
     */
    public AppliedMap next(ClusterState nextState, long nextIndex) {
        return new AppliedMap(nextState, nextState.toProto(state, map), nextIndex);
    }

    public long epoch() {
        return state.epoch();
    }
}
