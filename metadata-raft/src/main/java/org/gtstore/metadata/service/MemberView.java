package org.gtstore.metadata.service;

import java.util.Optional;
import java.util.function.Consumer;
import org.gtstore.metadata.statemachine.AppliedMap;

/**
 * What the gRPC service needs to know about its own metadata member: who it is, its Raft role
 * and the map it has applied. Implemented over the Ratis division by the server wiring.
 */
public interface MemberView {

    String id();

    String raftAddress();

    String rpcAddress();

    /** LEADER, FOLLOWER or CANDIDATE (Ratis roles beyond these are reported by name). */
    String role();

    long term();

    /** True while this member is the Raft leader. */
    default boolean isLeader() {
        return "LEADER".equals(role());
    }

    /** The Raft leader's member id, or empty when none is known. */
    String leaderId();

    /** The leader's MetadataService address, for NOT_LEADER hints. */
    Optional<String> leaderRpcAddress();

    long appliedIndex();

    AppliedMap applied();

    void addMapListener(Consumer<AppliedMap> listener);

    void removeMapListener(Consumer<AppliedMap> listener);
}
