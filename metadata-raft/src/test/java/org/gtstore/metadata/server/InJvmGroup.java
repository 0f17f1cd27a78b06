package org.gtstore.metadata.server;

import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetMapRequest;
import org.gtstore.proto.MetadataServiceGrpc;
import org.gtstore.proto.MetadataServiceGrpc.MetadataServiceBlockingStub;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.RegisterRequest;
import org.gtstore.proto.RegisterResponse;

/**
 * Metadata members in this JVM on free loopback ports under one directory, spoken to only
 * through MetadataService, as data servers and gtctl do. Closing it stops every member.
 */
final class InJvmGroup implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(20);

    private final Path dir;
    private final long electionMinMs;
    private final long electionMaxMs;
    final Map<String, MetadataServer> members = new LinkedHashMap<>();
    final Map<String, MetadataServerConfig> configs = new HashMap<>();
    private final Map<String, ManagedChannel> channels = new HashMap<>();

    private InJvmGroup(Path dir, long electionMinMs, long electionMaxMs) {
        this.dir = dir;
        this.electionMinMs = electionMinMs;
        this.electionMaxMs = electionMaxMs;
    }

    /** Starts meta1..meta3 (K=2, 16 partitions, 3 initial servers, small snapshots). */
    static InJvmGroup start(Path dir, long electionMinMs, long electionMaxMs)
            throws IOException {
        InJvmGroup g = new InJvmGroup(dir, electionMinMs, electionMaxMs);
        List<PeerAddress> peers = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            peers.add(new PeerAddress("meta" + i, "127.0.0.1", freePort(), freePort()));
        }
        for (PeerAddress p : peers) {
            g.configs.put(p.id(), g.config(p.id(), peers, false));
        }
        try {
            for (PeerAddress p : peers) {
                g.members.put(p.id(), MetadataServer.start(g.configs.get(p.id())));
            }
        } catch (IOException | RuntimeException e) {
            g.close();
            throw e;
        }
        return g;
    }

    private MetadataServerConfig config(String id, List<PeerAddress> peers, boolean join) {
        return MetadataServerConfig.builder().id(id).peers(peers)
                .storageDir(dir.resolve(id)).replication(2).partitions(16)
                .initialServers(3).failureTimeoutMs(60_000).leaseMs(1500)
                .heartbeatIntervalMs(250).electionTimeoutMinMs(electionMinMs)
                .electionTimeoutMaxMs(electionMaxMs).leaderTickMs(20)
                .snapshotThresholdEntries(8)
                .logSegmentSizeMaxBytes(1024).logPurgeGapEntries(1).join(join)
                .metrics("127.0.0.1:0").build();
    }

    /** Starts a new member with {@code --join} (it knows only itself) and returns its address. */
    PeerAddress startJoining(String id) throws IOException {
        PeerAddress p = new PeerAddress(id, "127.0.0.1", freePort(), freePort());
        configs.put(id, config(id, List.of(p), true));
        members.put(id, MetadataServer.start(configs.get(id)));
        return p;
    }

    /** Restarts a stopped member on its storage, with the flags it had. */
    MetadataServer restart(String id) throws IOException {
        MetadataServer m = MetadataServer.start(configs.get(id));
        members.put(id, m);
        return m;
    }

    void stop(String id) {
        members.remove(id).close();
    }

    MetadataServer awaitLeader(String notThis) {
        return await("a leader other than " + notThis).atMost(WAIT).until(() ->
                members.values().stream().filter(m -> m.leader().isLeading()
                        && !m.config().id().equals(notThis)).findFirst().orElse(null),
                m -> m != null);
    }

    MetadataServer anyFollower() {
        return members.values().stream().filter(m -> !m.leader().isLeading()).findFirst()
                .orElseThrow();
    }

    /** Registers the way a data server does: ask any member, follow the leader hint. */
    RegisterResponse register(String serverId) throws IOException {
        RegisterRequest req = RegisterRequest.newBuilder().setServerId(serverId)
                .setAddress("127.0.0.1:" + freePort()).setStorageId("disk-" + serverId).build();
        return await("register " + serverId).atMost(WAIT).until(() -> {
            RegisterResponse r = stubFor(anyAddress()).register(req);
            if (r.getCode() == ErrorCode.NOT_LEADER && !r.getLeaderHint().isEmpty()) {
                r = stubFor(r.getLeaderHint()).register(req);
            }
            return r;
        }, r -> r.getCode() == ErrorCode.OK);
    }

    String anyAddress() {
        return address(members.keySet().iterator().next());
    }

    String address(String id) {
        return configs.get(id).self().rpcAddress();
    }

    PartitionMap map(String memberId) {
        return stub(memberId).getMap(GetMapRequest.getDefaultInstance()).getMap();
    }

    MetadataServiceBlockingStub stub(String memberId) {
        return stubFor(address(memberId));
    }

    MetadataServiceBlockingStub stubFor(String address) {
        ManagedChannel ch = channels.computeIfAbsent(address,
                a -> NettyChannelBuilder.forTarget(a).usePlaintext().build());
        return MetadataServiceGrpc.newBlockingStub(ch).withDeadlineAfter(15, TimeUnit.SECONDS);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        members.values().forEach(MetadataServer::close);
        members.clear();
    }
}
