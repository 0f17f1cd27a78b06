package org.gtstore.metadata.server;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.ReconfigurationInProgressException;
import org.apache.ratis.protocol.exceptions.ReconfigurationTimeoutException;
import org.apache.ratis.protocol.exceptions.SetConfigurationException;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.gtstore.metadata.service.MembershipChanges;
import org.gtstore.proto.AdminResponse;
import org.gtstore.proto.ChangeMetaMembersRequest;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.HostPorts;
import org.gtstore.proto.MemberStatus;
import org.gtstore.proto.MemberStatusRequest;
import org.gtstore.proto.MetaMember;
import org.gtstore.proto.MetadataServiceGrpc;
import org.gtstore.proto.TransportSecurity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata group's members, read from and changed through this member's Raft
 * configuration. A member's MetadataService address travels in its {@link RaftPeer} as the
 * client address (GTStore never uses a Ratis client, so Ratis itself reads it nowhere), which
 * makes one configuration entry the only record of who the members are and where to reach them.
 *
 * <p>A change adds or removes one member: Ratis first catches a new member up (staging), then
 * commits the joint and the new configuration, so the group never loses its majority. The
 * request is a compare-and-set against the configuration this member checked, so two changes
 * made at once cannot both apply. A leader asked to remove itself first hands its leadership
 * to one of the members that stay and answers NOT_LEADER with the new leader's address; the
 * change is then made there, without an election.
 */
final class RaftMembership implements MembershipChanges {
    private static final Logger LOG = LoggerFactory.getLogger(RaftMembership.class);

    /** The fewest members that survive the loss of one. */
    static final int MIN_MEMBERS = 3;
    static final int MAX_MEMBERS = 7;
    private static final long PROBE_TIMEOUT_MS = 2_000;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final MetadataServerConfig config;
    private final RaftServer server;
    private final RaftServer.Division division;
    private final LeadershipTransfer transfer;
    /**
     * A follower heard from within this long (one election timeout) counts as live: the
     * leader's appends reach every follower at least every half election timeout, so a member
     * silent for longer is likely gone. A change whose new configuration has no live majority
     * would stop the group until enough of its members come back, so this errs towards
     * refusing; on a loaded machine a refusal may pass, and gtctl asks again.
     */
    private final long liveWithinMs;
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong callId = new AtomicLong();
    /** The raft address this member handed Ratis for each id it tried to add. */
    private final Map<String, String> triedAt = new ConcurrentHashMap<>();

    RaftMembership(MetadataServerConfig config, RaftServer server, RaftServer.Division division,
            LeadershipTransfer transfer, long liveWithinMs) {
        this.config = config;
        this.server = server;
        this.division = division;
        this.transfer = transfer;
        this.liveWithinMs = liveWithinMs;
    }

    /** The members of the current configuration, by id. */
    List<MetaMember> members() {
        return members(division.getRaftConf().getCurrentPeers(), config.peers());
    }

    /**
     * The members these peers name, by id; a peer without a client address takes the rpc
     * address the flags give for its id (empty if none).
     */
    static List<MetaMember> members(Collection<RaftPeer> peers, List<PeerAddress> flags) {
        List<MetaMember> out = new ArrayList<>();
        for (RaftPeer p : peers) {
            String id = p.getId().toString();
            String rpc = p.getClientAddress();
            if (rpc == null || rpc.isEmpty()) {
                rpc = flags.stream().filter(f -> f.id().equals(id)).findFirst()
                        .map(PeerAddress::rpcAddress).orElse("");
            }
            out.add(MetaMember.newBuilder().setId(id).setRaftAddress(p.getAddress())
                    .setRpcAddress(rpc).build());
        }
        out.sort(Comparator.comparing(MetaMember::getId));
        return out;
    }

    static RaftPeer peer(MetaMember m) {
        return RaftPeer.newBuilder().setId(m.getId()).setAddress(m.getRaftAddress())
                .setClientAddress(m.getRpcAddress()).build();
    }

    @Override
    public CompletableFuture<AdminResponse> change(ChangeMetaMembersRequest request) {
        AdminResponse refusal = switch (request.getChangeCase()) {
            case ADD -> checkAdd(request.getAdd());
            case REMOVE -> checkRemove(request.getRemove());
            default -> refuse(ErrorCode.INVALID_ARGUMENT, "name one member to add or remove");
        };
        if (refusal != null) {
            return CompletableFuture.completedFuture(refusal);
        }
        List<RaftPeer> current = new ArrayList<>(division.getRaftConf().getCurrentPeers());
        List<RaftPeer> next = new ArrayList<>(current);
        String done;
        if (request.hasAdd()) {
            MetaMember m = request.getAdd();
            next.add(peer(m));
            return probe(m).thenCompose(problem -> problem != null
                    ? CompletableFuture.completedFuture(problem)
                    : set(current, next, m.getId() + " joined"));
        } else {
            String id = request.getRemove();
            if (id.equals(division.getId().toString())) {
                return CompletableFuture.supplyAsync(() -> handOverBeforeRemoving(id));
            }
            next.removeIf(p -> p.getId().toString().equals(id));
            done = id + " left";
        }
        return set(current, next, done);
    }

    /**
     * Null if the new member answers at its rpc address under its id and names the raft
     * address it is being added with; else the refusal. Ratis keeps the first address it was
     * given for a peer id until this member restarts, so a mistyped address must not reach it.
     */
    private CompletableFuture<AdminResponse> probe(MetaMember m) {
        String tried = triedAt.get(m.getId());
        if (tried != null && !tried.equals(m.getRaftAddress())) {
            return CompletableFuture.completedFuture(refuse(ErrorCode.INVALID_ARGUMENT,
                    "the leader already tried to add " + m.getId() + " at " + tried
                            + "; add it there, or under another id"));
        }
        CompletableFuture<AdminResponse> result = new CompletableFuture<>();
        TransportSecurity security = config.security();
        ManagedChannel channel = NettyChannelBuilder.forTarget(m.getRpcAddress(),
                security.channelCredentials()).intercept(security.tokenSender()).build();
        MetadataServiceGrpc.newStub(channel).withDeadlineAfter(PROBE_TIMEOUT_MS,
                TimeUnit.MILLISECONDS).getMemberStatus(MemberStatusRequest.getDefaultInstance(),
                new StreamObserver<>() {
                    @Override
                    public void onNext(MemberStatus s) {
                        result.complete(s.getId().equals(m.getId())
                                && s.getRaftAddress().equals(m.getRaftAddress()) ? null
                                : refuse(ErrorCode.INVALID_ARGUMENT, "the metadata member at "
                                        + m.getRpcAddress() + " is " + s.getId() + " with raft"
                                        + " address " + s.getRaftAddress() + ", not "
                                        + m.getId() + " at " + m.getRaftAddress()));
                    }

                    @Override
                    public void onError(Throwable t) {
                        result.complete(refuse(ErrorCode.UNAVAILABLE, "no metadata member"
                                + " answers at " + m.getRpcAddress() + " (" + Status
                                .fromThrowable(t).getCode() + "): start it with --join first"));
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        return result.whenComplete((r, t) -> {
            channel.shutdownNow();
            if (r == null && t == null) {
                triedAt.put(m.getId(), m.getRaftAddress());
            }
        });
    }

    private CompletableFuture<AdminResponse> set(List<RaftPeer> current, List<RaftPeer> next,
            String done) {
        SetConfigurationRequest.Arguments args = SetConfigurationRequest.Arguments.newBuilder()
                .setServersInCurrentConf(current).setServersInNewConf(next)
                .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET).build();
        LOG.info("[{}] members {} -> {}", config.id(), ids(current), ids(next));
        try {
            return server.setConfigurationAsync(new SetConfigurationRequest(clientId,
                            division.getId(), MetadataServer.GROUP_ID, callId.incrementAndGet(),
                            args))
                    .handle((reply, error) -> answer(reply, error, done + "; members: "
                            + ids(next)));
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.completedFuture(answer(null, e, done));
        }
    }

    private AdminResponse answer(RaftClientReply reply, Throwable error, String done) {
        Throwable e = error != null ? error
                : reply.isSuccess() ? null : reply.getException();
        while (e != null && e.getCause() != null && !(e instanceof IOException)) {
            e = e.getCause();
        }
        if (e == null) {
            LOG.info("[{}] {}", config.id(), done);
            return AdminResponse.newBuilder().setCode(ErrorCode.OK).setMessage(done).build();
        }
        LOG.info("[{}] change of members refused: {}", config.id(), e.toString());
        if (e instanceof NotLeaderException nle) {
            return refuse(ErrorCode.NOT_LEADER, "not the leader").toBuilder()
                    .setLeaderHint(rpcAddressOf(nle.getSuggestedLeader())).build();
        }
        if (e instanceof LeaderNotReadyException) {
            return refuse(ErrorCode.UNAVAILABLE, "the leader is not ready yet (it was just"
                    + " elected); try again");
        }
        if (e instanceof ReconfigurationInProgressException) {
            return refuse(ErrorCode.UNAVAILABLE, "another change of members is under way;"
                    + " try again once it is done");
        }
        if (e instanceof ReconfigurationTimeoutException) {
            return refuse(ErrorCode.UNAVAILABLE, "the new member did not catch up with the"
                    + " leader in time: is it running, started with --join, at its raft"
                    + " address?");
        }
        if (e instanceof SetConfigurationException) {
            return refuse(ErrorCode.UNAVAILABLE, "the members changed meanwhile; try again");
        }
        return refuse(ErrorCode.UNAVAILABLE, "the change of members failed: " + e.getMessage());
    }

    private AdminResponse checkAdd(MetaMember m) {
        if (!ID.matcher(m.getId()).matches()) {
            return refuse(ErrorCode.INVALID_ARGUMENT, "member id must be 1-64 letters, digits,"
                    + " '.', '_' or '-', got '" + m.getId() + "'");
        }
        for (String a : List.of(m.getRaftAddress(), m.getRpcAddress())) {
            if (!HostPorts.isHostPort(a)) {
                return refuse(ErrorCode.INVALID_ARGUMENT, "expected host:port for the new"
                        + " member's raft and rpc addresses, got '" + a + "'");
            }
        }
        if (m.getRaftAddress().equals(m.getRpcAddress())) {
            return refuse(ErrorCode.INVALID_ARGUMENT, "the raft and rpc addresses are the same: "
                    + m.getRaftAddress());
        }
        AdminResponse busy = refuseIfChanging();
        if (busy != null) {
            return busy;
        }
        List<MetaMember> members = members();
        for (MetaMember old : members) {
            if (old.getId().equals(m.getId())) {
                return refuse(ErrorCode.INVALID_ARGUMENT, m.getId() + " is already a member");
            }
            Set<String> used = Set.of(old.getRaftAddress(), old.getRpcAddress());
            if (used.contains(m.getRaftAddress()) || used.contains(m.getRpcAddress())) {
                return refuse(ErrorCode.INVALID_ARGUMENT, "member " + old.getId()
                        + " already uses " + (used.contains(m.getRaftAddress())
                        ? m.getRaftAddress() : m.getRpcAddress()));
            }
        }
        if (members.size() >= MAX_MEMBERS) {
            return refuse(ErrorCode.INVALID_ARGUMENT, "the group has " + members.size()
                    + " members, the most it may have");
        }
        return null;
    }

    private AdminResponse checkRemove(String id) {
        AdminResponse busy = refuseIfChanging();
        if (busy != null) {
            return busy;
        }
        List<MetaMember> members = members();
        Set<String> ids = members.stream().map(MetaMember::getId).collect(Collectors.toSet());
        if (!ids.contains(id)) {
            return refuse(ErrorCode.INVALID_ARGUMENT, "'" + id + "' is not a member; members: "
                    + String.join(", ", new TreeSet<>(ids)));
        }
        if (members.size() - 1 < MIN_MEMBERS) {
            return refuse(ErrorCode.INVALID_ARGUMENT, "the group has " + members.size()
                    + " members and " + MIN_MEMBERS + " is the fewest that survive the loss of"
                    + " one: add a member first (or use 'meta replace')");
        }
        Set<String> remaining = new HashSet<>(ids);
        remaining.remove(id);
        long live = remaining.stream().filter(this::live).count();
        if (live <= remaining.size() / 2) {
            return refuse(ErrorCode.UNAVAILABLE, "only " + live + " of the " + remaining.size()
                    + " members that would remain answer the leader: without a majority of"
                    + " them the group would stop; bring them back first");
        }
        return null;
    }

    private AdminResponse refuseIfChanging() {
        RaftConfiguration conf = division.getRaftConf();
        if (!conf.getPreviousPeers().isEmpty()) {
            return refuse(ErrorCode.UNAVAILABLE, "another change of members is under way; try"
                    + " again once it is done");
        }
        return null;
    }

    /** This member, or a follower the leader heard from within {@link #liveWithinMs}. */
    private boolean live(String id) {
        if (id.equals(division.getId().toString())) {
            return true;
        }
        RoleInfoProto role = division.getInfo().getRoleInfoProto();
        for (ServerRpcProto f : role.getLeaderInfo().getFollowerInfoList()) {
            if (f.getId().getId().toStringUtf8().equals(id)) {
                return f.getLastRpcElapsedTimeMs() <= liveWithinMs;
            }
        }
        return false;
    }

    private AdminResponse handOverBeforeRemoving(String id) {
        Optional<RaftPeerId> next = transfer.handOver(p -> !p.toString().equals(id), false);
        if (next.isEmpty()) {
            return refuse(ErrorCode.UNAVAILABLE, id + " leads and could not hand its leadership"
                    + " to another member; try again");
        }
        return refuse(ErrorCode.NOT_LEADER, id + " handed its leadership to " + next.get()
                + ", which removes it").toBuilder().setLeaderHint(rpcAddressOf(next.get()))
                .build();
    }

    private String rpcAddressOf(RaftPeer peer) {
        return peer == null ? "" : rpcAddressOf(peer.getId());
    }

    private String rpcAddressOf(RaftPeerId id) {
        return members().stream().filter(m -> m.getId().equals(id.toString())).findFirst()
                .map(MetaMember::getRpcAddress).orElse("");
    }

    private static String ids(Collection<RaftPeer> peers) {
        return peers.stream().map(p -> p.getId().toString()).sorted()
                .collect(Collectors.joining(", "));
    }

    private static AdminResponse refuse(ErrorCode code, String message) {
        return AdminResponse.newBuilder().setCode(code).setMessage(message).build();
    }
}
