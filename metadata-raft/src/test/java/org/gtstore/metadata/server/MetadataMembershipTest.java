package org.gtstore.metadata.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.util.ExitUtils;
import org.gtstore.proto.AdminResponse;
import org.gtstore.proto.ChangeMetaMembersRequest;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.HeartbeatRequest;
import org.gtstore.proto.HeartbeatResponse;
import org.gtstore.proto.MemberStatusRequest;
import org.gtstore.proto.MetaMember;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.RegisterResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changing the metadata group's members through MetadataService, on a real group in one JVM:
 * a member started with --join is caught up (by InstallSnapshot, the leader having purged its
 * log) and added; the leader removes itself by handing its leadership over first; every
 * answer names the new members; and every refused change leaves the members as they were.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MetadataMembershipTest {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataMembershipTest.class);

    @TempDir
    Path dir;

    private InJvmGroup group;

    @BeforeAll
    static void noSystemExit() {
        ExitUtils.disableSystemExit();
    }

    @AfterEach
    void stopAll() {
        if (group != null) {
            group.close();
        }
    }

    @Test
    void aJoiningMemberIsAddedAndTheLeaderRemovesItselfWithoutAnElection() throws Exception {
        group = InJvmGroup.start(dir, 300, 600);
        MetadataServer leader = group.awaitLeader(null);
        RegisterResponse server1 = null;
        for (int i = 1; i <= 12; i++) {
            RegisterResponse r = group.register("server" + i);
            server1 = i == 1 ? r : server1;
        }
        await("leader purged its log").atMost(InJvmGroup.WAIT)
                .until(() -> leader.division().getRaftLog().getStartIndex() > 0);

        PeerAddress meta4 = group.startJoining("meta4");
        AdminResponse added = change(leader.config().id(), add(meta4));
        assertEquals(ErrorCode.OK, added.getCode(), added.getMessage());
        PartitionMap latest = group.map(leader.config().id());
        await("meta4 catches up").atMost(InJvmGroup.WAIT)
                .until(() -> group.map("meta4").equals(latest));
        assertEquals(List.of("meta1", "meta2", "meta3", "meta4"), memberIds("meta4"));
        assertEquals(List.of("meta1", "meta2", "meta3", "meta4"),
                memberIds(leader.config().id()));

        String old = leader.config().id();
        long term = leader.division().getInfo().getCurrentTerm();
        long startNs = System.nanoTime();
        AdminResponse handed = change(old, remove(old));
        assertEquals(ErrorCode.NOT_LEADER, handed.getCode(), handed.getMessage());
        assertNotEquals("", handed.getLeaderHint());
        assertNotEquals(group.address(old), handed.getLeaderHint());
        // The new leader takes changes once it is ready: its first entry committed.
        AdminResponse removed = await("the new leader removes " + old).atMost(InJvmGroup.WAIT)
                .until(() -> group.stubFor(handed.getLeaderHint()).changeMetaMembers(
                        remove(old)), r -> !r.getMessage().contains("not ready yet"));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        assertEquals(ErrorCode.OK, removed.getCode(), removed.getMessage());
        MetadataServer next = group.awaitLeader(old);
        LOG.info("leader {} removed itself in {} ms; {} leads in term {}", old, tookMs,
                next.config().id(), next.division().getInfo().getCurrentTerm());
        assertEquals(term + 1, next.division().getInfo().getCurrentTerm(),
                "one hand-over, no election after it");
        List<String> remaining = memberIds(next.config().id());
        assertEquals(3, remaining.size());
        assertTrue(!remaining.contains(old) && remaining.contains("meta4"), remaining::toString);

        group.stop(old);
        HeartbeatResponse beat = group.stub(next.config().id()).heartbeat(HeartbeatRequest
                .newBuilder().setServerId("server1").setIncarnation(server1.getIncarnation())
                .build());
        assertEquals(ErrorCode.OK, beat.getCode());
        assertEquals(remaining.stream().map(group::address).sorted().toList(),
                beat.getMetaMembersList().stream().sorted().toList(),
                "a data server learns the new members from its heartbeats");
        assertEquals(ErrorCode.OK, group.register("server13").getCode(),
                "the group of three without the old leader commits");
    }

    @Test
    void refusedChangesLeaveTheMembersAsTheyWere() throws Exception {
        group = InJvmGroup.start(dir, 300, 600);
        String leader = group.awaitLeader(null).config().id();
        String follower = group.anyFollower().config().id();
        List<String> three = List.of("meta1", "meta2", "meta3");
        PeerAddress taken = group.configs.get(follower).self();

        assertRefused(leader, remove(follower), ErrorCode.INVALID_ARGUMENT, "fewest");
        assertRefused(leader, remove("meta9"), ErrorCode.INVALID_ARGUMENT, "not a member");
        assertRefused(leader, add(new PeerAddress(follower, "127.0.0.1", 1, 2)),
                ErrorCode.INVALID_ARGUMENT, "already a member");
        assertRefused(leader, add(new PeerAddress("meta4", "127.0.0.1", taken.raftPort(),
                InJvmGroup.freePort())), ErrorCode.INVALID_ARGUMENT, "already uses");
        assertRefused(leader, ChangeMetaMembersRequest.newBuilder().setAdd(MetaMember
                .newBuilder().setId("meta4").setRaftAddress("nowhere").setRpcAddress("x:1"))
                .build(), ErrorCode.INVALID_ARGUMENT, "host:port");
        assertRefused(leader, ChangeMetaMembersRequest.getDefaultInstance(),
                ErrorCode.INVALID_ARGUMENT, "add or remove");
        AdminResponse atFollower = change(follower, remove("meta9"));
        assertEquals(ErrorCode.NOT_LEADER, atFollower.getCode());
        assertEquals(group.address(leader), atFollower.getLeaderHint());
        assertRefused(leader, add(new PeerAddress("meta4", "127.0.0.1", InJvmGroup.freePort(),
                InJvmGroup.freePort())), ErrorCode.UNAVAILABLE, "no metadata member answers");
        PeerAddress meta4 = group.startJoining("meta4");
        assertRefused(leader, add(new PeerAddress("meta5", meta4.host(), meta4.raftPort(),
                meta4.rpcPort())), ErrorCode.INVALID_ARGUMENT, "is meta4");
        assertRefused(leader, add(new PeerAddress("meta4", meta4.host(), meta4.raftPort() + 1,
                meta4.rpcPort())), ErrorCode.INVALID_ARGUMENT, "is meta4");
        assertEquals(three, memberIds(leader));

        assertEquals(ErrorCode.OK, change(leader, add(meta4)).getCode());
        assertEquals(ErrorCode.OK, change(leader, add(group.startJoining("meta5"))).getCode());
        MetadataServer leading = group.members.get(leader);
        group.stop("meta4");
        group.stop("meta5");
        await("the leader hears nothing from meta4 and meta5").atMost(InJvmGroup.WAIT)
                .until(() -> leading.division().getInfo().getRoleInfoProto().getLeaderInfo()
                        .getFollowerInfoList().stream()
                        .filter(f -> Set.of("meta4", "meta5")
                                .contains(f.getId().getId().toStringUtf8()))
                        .allMatch(f -> f.getLastRpcElapsedTimeMs() > 600));
        assertRefused(leader, remove(follower), ErrorCode.UNAVAILABLE, "majority");
        assertEquals(List.of("meta1", "meta2", "meta3", "meta4", "meta5"), memberIds(leader));
    }

    private void assertRefused(String member, ChangeMetaMembersRequest request, ErrorCode code,
            String reason) {
        AdminResponse r = change(member, request);
        assertEquals(code, r.getCode(), r.getMessage());
        assertTrue(r.getMessage().contains(reason), r.getMessage());
    }

    private AdminResponse change(String member, ChangeMetaMembersRequest request) {
        return group.stub(member).changeMetaMembers(request);
    }

    private List<String> memberIds(String member) {
        return group.stub(member).getMemberStatus(MemberStatusRequest.getDefaultInstance())
                .getMembersList().stream().map(MetaMember::getId).toList();
    }

    private static ChangeMetaMembersRequest add(PeerAddress p) {
        return ChangeMetaMembersRequest.newBuilder().setAdd(MetaMember.newBuilder()
                .setId(p.id()).setRaftAddress(p.raftAddress()).setRpcAddress(p.rpcAddress()))
                .build();
    }

    private static ChangeMetaMembersRequest remove(String id) {
        return ChangeMetaMembersRequest.newBuilder().setRemove(id).build();
    }
}
