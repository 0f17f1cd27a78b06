package org.gtstore.metadata.server;

import java.util.List;
import java.util.function.Consumer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.gtstore.metadata.service.MemberView;
import org.gtstore.metadata.statemachine.AppliedMap;
import org.gtstore.metadata.statemachine.MetadataStateMachine;
import org.gtstore.proto.MetaMember;

/** {@link MemberView} over this member's Ratis division and state machine. */
final class RaftMemberView implements MemberView {

    private final MetadataServerConfig config;
    private final RaftServer.Division division;
    private final MetadataStateMachine stateMachine;

    RaftMemberView(MetadataServerConfig config, RaftServer.Division division,
                   MetadataStateMachine stateMachine) {
        this.config = config;
        this.division = division;
        this.stateMachine = stateMachine;
    }

    @Override
    public String id() {
        return config.id();
    }

    @Override
    public String raftAddress() {
        return config.self().raftAddress();
    }

    @Override
    public String rpcAddress() {
        return config.self().rpcAddress();
    }

    @Override
    public String role() {
        return division.getInfo().getCurrentRole().name();
    }

    @Override
    public long term() {
        return division.getInfo().getCurrentTerm();
    }

    @Override
    public String leaderId() {
        RaftPeerId leader = division.getInfo().getLeaderId();
        return leader == null ? "" : leader.toString();
    }

    @Override
    public List<MetaMember> members() {
        return RaftMembership.members(division.getRaftConf().getCurrentPeers(), config.peers());
    }

    @Override
    public long appliedIndex() {
        return division.getInfo().getLastAppliedIndex();
    }

    @Override
    public AppliedMap applied() {
        return stateMachine.current();
    }

    @Override
    public void addMapListener(Consumer<AppliedMap> listener) {
        stateMachine.addListener(listener);
    }

    @Override
    public void removeMapListener(Consumer<AppliedMap> listener) {
        stateMachine.removeListener(listener);
    }
}
