package org.gtstore.metadata.service;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.gtstore.metadata.statemachine.AppliedMap;
import org.gtstore.proto.MetaMember;

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
    default Optional<String> leaderRpcAddress() {
        String leader = leaderId();
        return members().stream().filter(m -> m.getId().equals(leader))
                .map(MetaMember::getRpcAddress).filter(a -> !a.isEmpty()).findFirst();
    }

    /** The group's members in this member's Raft configuration, by id. */
    List<MetaMember> members();

    /** The members' MetadataService addresses, by member id. */
    default List<String> memberRpcAddresses() {
        return members().stream().map(MetaMember::getRpcAddress).filter(a -> !a.isEmpty())
                .toList();
    }

    long appliedIndex();

    AppliedMap applied();

    void addMapListener(Consumer<AppliedMap> listener);

    void removeMapListener(Consumer<AppliedMap> listener);
}
