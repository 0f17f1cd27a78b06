package org.gtstore.metadata.service;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.gtstore.metadata.statemachine.AppliedMap;
import org.gtstore.proto.AdminResponse;
import org.gtstore.proto.ChangeMetaMembersRequest;
import org.gtstore.proto.DrainRequest;
import org.gtstore.proto.DrainServer;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.ForgetServer;
import org.gtstore.proto.LeaveRequest;
import org.gtstore.proto.RemoveServerRequest;
import org.gtstore.proto.GetMapRequest;
import org.gtstore.proto.GetMapResponse;
import org.gtstore.proto.HeartbeatRequest;
import org.gtstore.proto.HeartbeatResponse;
import org.gtstore.proto.MemberStatus;
import org.gtstore.proto.MetaCommand;
import org.gtstore.proto.MetaCommandReply;
import org.gtstore.proto.MemberStatusRequest;
import org.gtstore.proto.MetadataServiceGrpc;
import org.gtstore.proto.RegisterRequest;
import org.gtstore.proto.RegisterResponse;
import org.gtstore.proto.ReportCaughtUpRequest;
import org.gtstore.proto.ReportCaughtUpResponse;
import org.gtstore.proto.ReportUnreachableRequest;
import org.gtstore.proto.ReportUnreachableResponse;
import org.gtstore.proto.WatchMapRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MetadataService of one member (see metadata.proto). Register, Heartbeat and the two
 * reports need the leader; a follower answers them with NOT_LEADER and the leader's address.
 * GetMap, WatchMap and GetMemberStatus are answered by any member from what it has applied
 * (GetMap with from_leader only by the leader). An OK to a Register or a Heartbeat grants the
 * server a lease, so it waits for a {@link LeadershipCheck} and becomes NOT_LEADER without one.
 * Every handler turns an unexpected throwable into an INTERNAL reply and logs it once.
 */
public final class MetadataGrpcService extends MetadataServiceGrpc.MetadataServiceImplBase {

    private static final Logger LOG = LoggerFactory.getLogger(MetadataGrpcService.class);

    private final MemberView member;
    private final MetadataLeader leader;
    private final long leaseMs;
    private final long heartbeatIntervalMs;
    private final LeadershipCheck leadership;
    private final MembershipChanges membership;

    public MetadataGrpcService(MemberView member, MetadataLeader leader,
                               LeadershipCheck leadership, MembershipChanges membership,
                               long leaseMs, long heartbeatIntervalMs) {
        this.member = member;
        this.leader = leader;
        this.leadership = leadership;
        this.membership = membership;
        this.leaseMs = leaseMs;
        this.heartbeatIntervalMs = heartbeatIntervalMs;
    }

    private String hint() {
        return member.leaderRpcAddress().orElse("");
    }

    /**
     * The hint for a NOT_LEADER: the leader's address, or none while this member still names
     * itself (it leads but could not confirm it), so the caller tries another member.
     */
    private String hintElsewhere() {
        String hint = hint();
        return hint.equals(member.rpcAddress()) ? "" : hint;
    }

    @Override
    public void register(RegisterRequest r, StreamObserver<RegisterResponse> out) {
        long arrived = System.nanoTime();
        RegisterResponse.Builder b = RegisterResponse.newBuilder().setLeaseMs(leaseMs)
                .setHeartbeatIntervalMs(heartbeatIntervalMs);
        if (r.getServerId().isEmpty() || r.getAddress().isEmpty()) {
            reply(out, b.setCode(ErrorCode.INVALID_ARGUMENT)
                    .setMessage("server_id and address are required: " + r).build());
            return;
        }
        if (!leader.isLeading()) {
            reply(out, b.setCode(ErrorCode.NOT_LEADER).setLeaderHint(hint()).build());
            return;
        }
        answer(out, r, leader.register(r)
                .thenCompose(reply -> confirmed(reply, arrived)), reply -> {
            b.setCode(reply.getCode()).setMessage(reply.getMessage())
                    .setIncarnation(reply.getIncarnation()).setMap(member.applied().map());
            if (reply.getCode() == ErrorCode.NOT_LEADER) {
                b.setLeaderHint(hintElsewhere());
            }
            return b.build();
        });
    }

    @Override
    public void heartbeat(HeartbeatRequest h, StreamObserver<HeartbeatResponse> out) {
        long arrived = System.nanoTime();
        try {
            ErrorCode code = leader.heartbeat(h);
            CompletableFuture<ErrorCode> answer = code != ErrorCode.OK
                    ? CompletableFuture.completedFuture(code)
                    : leadership.confirm(arrived)
                            .thenApply(ok -> ok ? code : ErrorCode.NOT_LEADER);
            answer(out, h, answer, c -> {
                HeartbeatResponse.Builder b = HeartbeatResponse.newBuilder().setCode(c)
                        .setMapEpoch(member.applied().epoch())
                        .addAllMetaMembers(member.memberRpcAddresses());
                if (c == ErrorCode.NOT_LEADER) {
                    b.setLeaderHint(hintElsewhere());
                }
                return b.build();
            });
        } catch (RuntimeException e) {
            LOG.error("[{}] heartbeat {} failed", member.id(), h, e);
            reply(out, HeartbeatResponse.newBuilder().setCode(ErrorCode.INTERNAL).build());
        }
    }

    /**
     * Answers from this member's applied map, unless the caller already knows a newer epoch
     * than this member has applied: then a follower answers NOT_LEADER with the leader's
     * address (and no map, which the caller could not use), so a client never goes back to an
     * older map by asking a lagging member. The leader always answers with its map.
     */
    @Override
    public void getMap(GetMapRequest r, StreamObserver<GetMapResponse> out) {
        AppliedMap applied = member.applied();
        GetMapResponse.Builder b = GetMapResponse.newBuilder().setServedBy(member.id())
                .setLeaderHint(hint()).addAllMetaMembers(member.memberRpcAddresses());
        if (r.getFromLeader() && !member.isLeader()) {
            reply(out, b.setCode(ErrorCode.NOT_LEADER).build());
            return;
        }
        if (r.getKnownEpoch() > applied.epoch() && !member.isLeader()) {
            LOG.debug("[{}] GetMap known_epoch={} is ahead of applied epoch={}; NOT_LEADER",
                    member.id(), r.getKnownEpoch(), applied.epoch());
            reply(out, b.setCode(ErrorCode.NOT_LEADER).build());
            return;
        }
        reply(out, b.setCode(ErrorCode.OK).setMap(applied.map()).build());
    }

    @Override
    public void watchMap(WatchMapRequest r, StreamObserver<GetMapResponse> out) {
        new MapWatcher((ServerCallStreamObserver<GetMapResponse>) out, member,
                r.getFromEpoch()).start();
    }

    @Override
    public void reportUnreachable(ReportUnreachableRequest r,
                                  StreamObserver<ReportUnreachableResponse> out) {
        if (!leader.isLeading()) {
            reply(out, ReportUnreachableResponse.newBuilder().setCode(ErrorCode.NOT_LEADER)
                    .setLeaderHint(hint()).build());
            return;
        }
        answer(out, r, leader.reportUnreachable(r.getServerId(), r.getReporter()),
                dead -> ReportUnreachableResponse.newBuilder().setCode(ErrorCode.OK)
                        .setMarkedDead(dead).setMapEpoch(member.applied().epoch()).build());
    }

    @Override
    public void reportCaughtUp(ReportCaughtUpRequest r,
                               StreamObserver<ReportCaughtUpResponse> out) {
        if (!leader.isLeading()) {
            reply(out, ReportCaughtUpResponse.newBuilder().setCode(ErrorCode.NOT_LEADER)
                    .setLeaderHint(hint()).build());
            return;
        }
        answer(out, r, leader.reportCaughtUp(r), reply -> {
            ReportCaughtUpResponse.Builder b = ReportCaughtUpResponse.newBuilder()
                    .setCode(reply.getCode()).setMapEpoch(member.applied().epoch());
            if (reply.getCode() == ErrorCode.NOT_LEADER) {
                b.setLeaderHint(hint());
            }
            return b.build();
        });
    }

    @Override
    public void drain(DrainRequest r, StreamObserver<AdminResponse> out) {
        operator(out, r, MetaCommand.newBuilder().setDrain(DrainServer.newBuilder()
                .setServerId(r.getServerId()).setDrain(!r.getCancel())).build());
    }

    @Override
    public void removeServer(RemoveServerRequest r, StreamObserver<AdminResponse> out) {
        operator(out, r, MetaCommand.newBuilder().setForget(ForgetServer.newBuilder()
                .setServerId(r.getServerId())).build());
    }

    @Override
    public void leave(LeaveRequest r, StreamObserver<AdminResponse> out) {
        admin(out, r, () -> leader.leave(r.getServerId(), r.getIncarnation()));
    }

    @Override
    public void changeMetaMembers(ChangeMetaMembersRequest r, StreamObserver<AdminResponse> out) {
        if (!member.isLeader()) {
            reply(out, AdminResponse.newBuilder().setCode(ErrorCode.NOT_LEADER)
                    .setLeaderHint(hint()).setMessage("not the leader").build());
            return;
        }
        answer(out, r, membership.change(r), response -> response);
    }

    private void operator(StreamObserver<AdminResponse> out, Object request, MetaCommand cmd) {
        admin(out, request, () -> leader.operator(cmd));
    }

    private void admin(StreamObserver<AdminResponse> out, Object request,
            java.util.function.Supplier<CompletableFuture<MetaCommandReply>> call) {
        if (!leader.isLeading()) {
            reply(out, AdminResponse.newBuilder().setCode(ErrorCode.NOT_LEADER)
                    .setLeaderHint(hint()).setMessage("not the leader").build());
            return;
        }
        answer(out, request, call.get(), reply -> {
            AdminResponse.Builder b = AdminResponse.newBuilder().setCode(reply.getCode())
                    .setMessage(reply.getMessage()).setMapEpoch(reply.getEpoch());
            if (reply.getCode() == ErrorCode.NOT_LEADER) {
                b.setLeaderHint(hint());
            }
            return b.build();
        });
    }

    @Override
    public void getMemberStatus(MemberStatusRequest r, StreamObserver<MemberStatus> out) {
        MemberStatus.Builder b = MemberStatus.newBuilder().setId(member.id())
                .setRaftAddress(member.raftAddress()).setRpcAddress(member.rpcAddress())
                .setPid(ProcessHandle.current().pid()).setRole(member.role())
                .setTerm(member.term()).setLeaderId(member.leaderId())
                .setAppliedIndex(member.appliedIndex()).setMapEpoch(member.applied().epoch())
                .addAllMembers(member.members());
        if (leader.isLeading()) {
            b.addAllProgress(leader.progress()).setNotice(leader.notice());
        }
        reply(out, b.build());
    }

    /**
     * The reply, or NOT_LEADER if it is an OK that this member's leadership cannot back. A
     * Register that proposed an incarnation is backed by its own commit (proposed after the
     * request arrived); a repeated one waits for a commit or a round like a heartbeat.
     */
    private CompletableFuture<MetaCommandReply> confirmed(MetaCommandReply reply,
                                                          long arrivedNanos) {
        if (reply.getCode() != ErrorCode.OK) {
            return CompletableFuture.completedFuture(reply);
        }
        return leadership.confirm(arrivedNanos).thenApply(ok -> ok ? reply
                : MetaCommandReply.newBuilder().setCode(ErrorCode.NOT_LEADER)
                        .setMessage("leadership not confirmed").build());
    }

    /** Completes the call when the leader's future does; failures become INTERNAL. */
    private <T, R> void answer(StreamObserver<R> out, Object request, CompletableFuture<T> f,
                               Function<T, R> toResponse) {
        f.whenComplete((value, error) -> {
            if (error != null) {
                LOG.error("[{}] request failed: {}", member.id(), request, error);
                out.onError(io.grpc.Status.INTERNAL.withDescription(
                        "INTERNAL: " + error).asRuntimeException());
                return;
            }
            try {
                reply(out, toResponse.apply(value));
            } catch (RuntimeException e) {
                LOG.error("[{}] request failed: {}", member.id(), request, e);
                out.onError(io.grpc.Status.INTERNAL.withDescription("INTERNAL: " + e)
                        .asRuntimeException());
            }
        });
    }

    private static <R> void reply(StreamObserver<R> out, R response) {
        out.onNext(response);
        out.onCompleted();
    }
}
