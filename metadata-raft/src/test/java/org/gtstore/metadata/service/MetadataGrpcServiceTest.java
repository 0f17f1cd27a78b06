package org.gtstore.metadata.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.gtstore.metadata.command.Fixtures;
import org.gtstore.metadata.liveness.FakeClock;
import org.gtstore.metadata.liveness.ServerProber.ProbeResult;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.metadata.model.Settings;
import org.gtstore.metadata.statemachine.AppliedMap;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetMapRequest;
import org.gtstore.proto.GetMapResponse;
import org.gtstore.proto.MetaCommandReply;
import org.gtstore.proto.MetaMember;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * GetMap on one member, without a network. Goal: a client that already knows epoch E never
 * gets an older map from a lagging follower; the follower sends it to the leader instead, while
 * the leader (whose copy is authoritative) and an up-to-date follower answer with their map.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MetadataGrpcServiceTest {

    private static final String LEADER_RPC = "127.0.0.1:41102";

    private final ClusterState state = Fixtures.assigned(3, 2, 8);
    private String role = "FOLLOWER";

    @Test
    void laggingFollowerAnswersNotLeaderWithTheLeadersAddress() {
        GetMapResponse r = getMap(state.epoch() + 1);
        assertEquals(ErrorCode.NOT_LEADER, r.getCode());
        assertEquals(LEADER_RPC, r.getLeaderHint());
        assertFalse(r.hasMap(), "a map the caller cannot use is not worth sending");
    }

    @Test
    void followerThatHasTheKnownEpochAnswersWithItsMap() {
        GetMapResponse r = getMap(state.epoch());
        assertEquals(ErrorCode.OK, r.getCode());
        assertEquals(state.epoch(), r.getMap().getEpoch());
        assertEquals(ErrorCode.OK, getMap(0).getCode());
        assertEquals(List.of(LEADER_RPC, "127.0.0.1:41202"), r.getMetaMembersList(),
                "every answer names the group's members, for callers that follow changes");
    }

    @Test
    void leaderAlwaysAnswersWithItsMap() {
        role = "LEADER";
        GetMapResponse r = getMap(state.epoch() + 5);
        assertEquals(ErrorCode.OK, r.getCode());
        assertEquals(state.epoch(), r.getMap().getEpoch());
    }

    @Test
    void upToDateFollowerSendsALeaderMapRequestToTheLeader() {
        GetMapResponse r = getMap(GetMapRequest.newBuilder().setFromLeader(true).build());
        assertEquals(ErrorCode.NOT_LEADER, r.getCode());
        assertEquals(LEADER_RPC, r.getLeaderHint());
        assertFalse(r.hasMap());
    }

    @Test
    void leaderAnswersALeaderMapRequest() {
        role = "LEADER";
        GetMapResponse r = getMap(GetMapRequest.newBuilder().setFromLeader(true).build());
        assertEquals(ErrorCode.OK, r.getCode());
        assertEquals(state.epoch(), r.getMap().getEpoch());
    }

    private GetMapResponse getMap(long knownEpoch) {
        return getMap(GetMapRequest.newBuilder().setKnownEpoch(knownEpoch).build());
    }

    private GetMapResponse getMap(GetMapRequest request) {
        MetadataGrpcService service = new MetadataGrpcService(member(), idleLeader(),
                since -> CompletableFuture.completedFuture(true),
                change -> CompletableFuture.failedFuture(new AssertionError("not called")),
                1500, 250);
        List<GetMapResponse> out = new ArrayList<>();
        service.getMap(request,
                new StreamObserver<>() {
                    @Override
                    public void onNext(GetMapResponse value) {
                        out.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        throw new AssertionError(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        assertEquals(1, out.size());
        assertEquals("meta2", out.get(0).getServedBy());
        return out.get(0);
    }

    private static MetadataLeader idleLeader() {
        ClusterState empty = ClusterState.EMPTY;
        return new MetadataLeader("meta2", new MetadataLeader.Options(new Settings(2, 8, 3),
                2000, 30_000, 1000), new FakeClock(),
                address -> CompletableFuture.completedFuture(ProbeResult.NO_ANSWER),
                cmd -> CompletableFuture.completedFuture(MetaCommandReply.getDefaultInstance()),
                () -> empty, () -> false, Runnable::run);
    }

    private MemberView member() {
        AppliedMap applied = AppliedMap.of(state, 7);
        return new MemberView() {
            @Override
            public String id() {
                return "meta2";
            }

            @Override
            public String raftAddress() {
                return "127.0.0.1:41201";
            }

            @Override
            public String rpcAddress() {
                return "127.0.0.1:41202";
            }

            @Override
            public String role() {
                return role;
            }

            @Override
            public long term() {
                return 1;
            }

            @Override
            public String leaderId() {
                return "meta1";
            }

            @Override
            public List<MetaMember> members() {
                return List.of(MetaMember.newBuilder().setId("meta1").setRpcAddress(LEADER_RPC)
                                .setRaftAddress("127.0.0.1:41101").build(),
                        MetaMember.newBuilder().setId("meta2").setRpcAddress(rpcAddress())
                                .setRaftAddress(raftAddress()).build());
            }

            @Override
            public long appliedIndex() {
                return applied.appliedIndex();
            }

            @Override
            public AppliedMap applied() {
                return applied;
            }

            @Override
            public void addMapListener(Consumer<AppliedMap> listener) {
            }

            @Override
            public void removeMapListener(Consumer<AppliedMap> listener) {
            }
        };
    }
}
