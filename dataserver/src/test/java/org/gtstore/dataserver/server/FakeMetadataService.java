package org.gtstore.dataserver.server;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.gtstore.proto.Chain;
import org.gtstore.proto.ClusterSettings;
import org.gtstore.proto.CopyProgress;
import org.gtstore.proto.Durability;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetMapRequest;
import org.gtstore.proto.GetMapResponse;
import org.gtstore.proto.HeartbeatRequest;
import org.gtstore.proto.HeartbeatResponse;
import org.gtstore.proto.MetadataServiceGrpc;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.RegisterRequest;
import org.gtstore.proto.RegisterResponse;
import org.gtstore.proto.ReportCaughtUpRequest;
import org.gtstore.proto.ReportCaughtUpResponse;
import org.gtstore.proto.ReportUnreachableRequest;
import org.gtstore.proto.ReportUnreachableResponse;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;
import org.gtstore.proto.WatchMapRequest;

/**
 * A stand-in for the metadata group in tests: one member on a real port that accepts
 * registrations and heartbeats, serves and pushes whatever map the test publishes, and records
 * ReportUnreachable calls. No Raft, no liveness judgement: the test decides the map. A test
 * can hold heartbeat and register answers and release them later (a busy leader).
 */
final class FakeMetadataService extends MetadataServiceGrpc.MetadataServiceImplBase
        implements AutoCloseable {
    final Map<String, String> addresses = new ConcurrentHashMap<>();
    final List<String> unreachableReports = new CopyOnWriteArrayList<>();
    final AtomicLong heartbeats = new AtomicLong();
    /** The incarnation in the last heartbeat received. */
    volatile long lastHeartbeatIncarnation;
    /**
     * How heartbeats are answered: OK, UNKNOWN_SERVER, or null for not now (a partition, or a
     * busy leader: see {@link #answerHeldHeartbeats}).
     */
    volatile ErrorCode heartbeatAnswer = ErrorCode.OK;
    final AtomicLong registrations = new AtomicLong();
    /** Every Register received, in order. */
    final List<RegisterRequest> registerRequests = new CopyOnWriteArrayList<>();
    /**
     * Codes the next Registers are answered with, one each, before registering anything (e.g.
     * TIMEOUT: a leader whose command outlasted its timeout).
     */
    /** The durability of the maps published from now on. */
    volatile Durability durability = Durability.REPLICATED;
    /** The cluster id of the maps this fake answers with. */
    static final String CLUSTER_ID = "fake-cluster";
    final java.util.Queue<ErrorCode> registerRefusals =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Registers are held unanswered until {@link #answerHeldRegistrations}. */
    volatile boolean holdRegistrations;
    private final List<StreamObserver<HeartbeatResponse>> heldHeartbeats =
            new CopyOnWriteArrayList<>();
    private final List<StreamObserver<RegisterResponse>> heldRegistrations =
            new CopyOnWriteArrayList<>();
    final List<ReportCaughtUpRequest> caughtUpReports = new CopyOnWriteArrayList<>();
    /** Caught-up reports are held unanswered until {@link #answerHeldCaughtUpReports}. */
    volatile boolean holdCaughtUpReports;
    private final List<StreamObserver<ReportCaughtUpResponse>> heldCaughtUp =
            new CopyOnWriteArrayList<>();
    /** The copy progress in each server's last heartbeat that had any. */
    final Map<String, List<CopyProgress>> progress = new ConcurrentHashMap<>();
    private final List<StreamObserver<GetMapResponse>> watchers = new CopyOnWriteArrayList<>();
    private final AtomicLong incarnations = new AtomicLong();
    private final long leaseMs;
    private final long heartbeatIntervalMs;
    private volatile PartitionMap map = PartitionMap.newBuilder().setSettings(
            ClusterSettings.newBuilder().setClusterId(CLUSTER_ID)).build();
    private final Server server;

    FakeMetadataService(long leaseMs, long heartbeatIntervalMs) throws IOException {
        this.leaseMs = leaseMs;
        this.heartbeatIntervalMs = heartbeatIntervalMs;
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .directExecutor().addService(this).build().start();
    }

    String address() {
        return "127.0.0.1:" + server.getPort();
    }

    /** Publishes a map where partition p's chain is {@code chainOf.apply(p)}. */
    PartitionMap publish(long epoch, int partitions,
            java.util.function.IntFunction<List<String>> chainOf) {
        return publishChains(epoch, partitions, p -> Chain.newBuilder()
                .addAllReplicas(chainOf.apply(p)).setEpoch(epoch));
    }

    /** Publishes a map built from one chain per partition (partition set here). */
    PartitionMap publishChains(long epoch, int partitions,
            java.util.function.IntFunction<Chain.Builder> chainOf) {
        PartitionMap.Builder m = PartitionMap.newBuilder().setEpoch(epoch)
                .setSettings(ClusterSettings.newBuilder().setPartitions(partitions)
                        .setClusterId(CLUSTER_ID).setDurability(durability)
                        .setReplication(chainOf.apply(0).getReplicasCount()));
        addresses.forEach((id, addr) -> m.addServers(ServerInfo.newBuilder().setId(id)
                .setAddress(addr).setState(ServerState.ALIVE)));
        for (int p = 0; p < partitions; p++) {
            m.addChains(chainOf.apply(p).setPartition(p));
        }
        map = m.build();
        GetMapResponse push = GetMapResponse.newBuilder().setCode(ErrorCode.OK).setMap(map)
                .setServedBy("fake").build();
        for (StreamObserver<GetMapResponse> w : watchers) {
            synchronized (w) {
                try {
                    w.onNext(push);
                } catch (RuntimeException e) {
                    watchers.remove(w);
                }
            }
        }
        return map;
    }

    @Override
    public void register(RegisterRequest req, StreamObserver<RegisterResponse> reply) {
        registerRequests.add(req);
        registrations.incrementAndGet();
        ErrorCode refusal = registerRefusals.poll();
        if (refusal != null) {
            reply.onNext(RegisterResponse.newBuilder().setCode(refusal)
                    .setMessage("refused by the test").build());
            reply.onCompleted();
            return;
        }
        if (holdRegistrations) {
            heldRegistrations.add(reply);
            return;
        }
        addresses.put(req.getServerId(), req.getAddress());
        answerRegister(reply);
    }

    int heldRegistrations() {
        return heldRegistrations.size();
    }

    int heldHeartbeats() {
        return heldHeartbeats.size();
    }

    /** Answers every held Register (a new incarnation each) and stops holding them. */
    void answerHeldRegistrations() {
        holdRegistrations = false;
        for (RegisterRequest req : registerRequests) {
            addresses.put(req.getServerId(), req.getAddress());
        }
        List<StreamObserver<RegisterResponse>> held = List.copyOf(heldRegistrations);
        heldRegistrations.clear();
        held.forEach(this::answerRegister);
    }

    /** Answers every held heartbeat with {@code code}, all at once. */
    void answerHeldHeartbeats(ErrorCode code) {
        List<StreamObserver<HeartbeatResponse>> held = List.copyOf(heldHeartbeats);
        heldHeartbeats.clear();
        for (StreamObserver<HeartbeatResponse> reply : held) {
            reply.onNext(HeartbeatResponse.newBuilder().setCode(code)
                    .setMapEpoch(map.getEpoch()).build());
            reply.onCompleted();
        }
    }

    private void answerRegister(StreamObserver<RegisterResponse> reply) {
        reply.onNext(RegisterResponse.newBuilder().setCode(ErrorCode.OK)
                .setIncarnation(incarnations.incrementAndGet()).setMap(map)
                .setLeaseMs(leaseMs).setHeartbeatIntervalMs(heartbeatIntervalMs).build());
        reply.onCompleted();
    }

    /** How many WatchMap streams are open. */
    int watchers() {
        return watchers.size();
    }

    /** The current map. */
    PartitionMap map() {
        return map;
    }

    @Override
    public void reportCaughtUp(ReportCaughtUpRequest req,
            StreamObserver<ReportCaughtUpResponse> reply) {
        caughtUpReports.add(req);
        if (holdCaughtUpReports) {
            heldCaughtUp.add(reply);
            return;
        }
        answerCaughtUp(reply);
    }

    /** Answers every caught-up report held so far (a FinishCopy that applied at last). */
    void answerHeldCaughtUpReports() {
        for (StreamObserver<ReportCaughtUpResponse> r : heldCaughtUp) {
            heldCaughtUp.remove(r);
            answerCaughtUp(r);
        }
    }

    private void answerCaughtUp(StreamObserver<ReportCaughtUpResponse> reply) {
        reply.onNext(ReportCaughtUpResponse.newBuilder().setCode(ErrorCode.OK)
                .setMapEpoch(map.getEpoch()).build());
        reply.onCompleted();
    }

    @Override
    public void heartbeat(HeartbeatRequest req, StreamObserver<HeartbeatResponse> reply) {
        heartbeats.incrementAndGet();
        lastHeartbeatIncarnation = req.getIncarnation();
        if (req.getProgressCount() > 0) {
            progress.put(req.getServerId(), req.getProgressList());
        }
        ErrorCode answer = heartbeatAnswer;
        if (answer == null) {
            heldHeartbeats.add(reply);
            return;
        }
        reply.onNext(HeartbeatResponse.newBuilder().setCode(answer)
                .setMapEpoch(map.getEpoch()).build());
        reply.onCompleted();
    }

    @Override
    public void getMap(GetMapRequest req, StreamObserver<GetMapResponse> reply) {
        reply.onNext(GetMapResponse.newBuilder().setCode(ErrorCode.OK).setMap(map).build());
        reply.onCompleted();
    }

    @Override
    public void watchMap(WatchMapRequest req, StreamObserver<GetMapResponse> reply) {
        ((ServerCallStreamObserver<GetMapResponse>) reply).setOnCancelHandler(
                () -> watchers.remove(reply));
        watchers.add(reply);
        if (map.getEpoch() >= req.getFromEpoch()) {
            synchronized (reply) {
                reply.onNext(GetMapResponse.newBuilder().setCode(ErrorCode.OK).setMap(map)
                        .build());
            }
        }
    }

    @Override
    public void reportUnreachable(ReportUnreachableRequest req,
            StreamObserver<ReportUnreachableResponse> reply) {
        unreachableReports.add(req.getServerId());
        reply.onNext(ReportUnreachableResponse.newBuilder().setCode(ErrorCode.OK)
                .setMapEpoch(map.getEpoch()).build());
        reply.onCompleted();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
    }
}
