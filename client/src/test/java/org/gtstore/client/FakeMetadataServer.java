package org.gtstore.client;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetMapRequest;
import org.gtstore.proto.GetMapResponse;
import org.gtstore.proto.MemberStatus;
import org.gtstore.proto.MemberStatusRequest;
import org.gtstore.proto.MetadataServiceGrpc;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ReportUnreachableRequest;
import org.gtstore.proto.ReportUnreachableResponse;
import org.gtstore.proto.WatchMapRequest;

/**
 * One metadata member on a loopback port serving a map the test sets. Setting a map pushes it to
 * every open watch. A member given a {@code leaderHint} acts as a follower: it answers
 * {@code ReportUnreachable} with NOT_LEADER and that hint. Its watch pushes its current map on
 * every subscription whatever the asked epoch, so the client's own filtering is what is tested.
 * Like a real follower, a member with a {@code leaderHint} answers a {@code GetMap} whose known
 * epoch is ahead of its map with NOT_LEADER and the hint. A {@code getMapHandler} that returns
 * null never answers (a member that hangs).
 */
final class FakeMetadataServer implements AutoCloseable {
    final String id;
    final AtomicReference<PartitionMap> map = new AtomicReference<>(PartitionMap.newBuilder()
            .build());
    final AtomicInteger getMapCalls = new AtomicInteger();
    final List<ReportUnreachableRequest> reports = new CopyOnWriteArrayList<>();
    final List<WatchMapRequest> watchRequests = new CopyOnWriteArrayList<>();
    volatile String leaderHint;
    volatile Function<ReportUnreachableRequest, ReportUnreachableResponse> reportHandler =
            r -> ReportUnreachableResponse.newBuilder().setCode(ErrorCode.OK)
                    .setMapEpoch(map.get().getEpoch()).build();
    volatile Function<GetMapRequest, GetMapResponse> getMapHandler = this::mapAnswer;
    private final List<StreamObserver<GetMapResponse>> watchers = new CopyOnWriteArrayList<>();
    private final Server server;
    private final String address;

    FakeMetadataServer(String id) throws IOException {
        this.id = id;
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .directExecutor()
                .addService(new Service())
                .build()
                .start();
        this.address = "127.0.0.1:" + server.getPort();
    }

    String address() {
        return address;
    }

    void setMap(PartitionMap m) {
        map.set(m);
        for (StreamObserver<GetMapResponse> w : watchers) {
            synchronized (w) {
                w.onNext(response(m));
            }
        }
    }

    private GetMapResponse response(PartitionMap m) {
        return GetMapResponse.newBuilder().setCode(ErrorCode.OK).setMap(m).setServedBy(id)
                .build();
    }

    /** The answer of a healthy member: its map, or NOT_LEADER if it is a follower behind. */
    GetMapResponse mapAnswer(GetMapRequest request) {
        String hint = leaderHint;
        PartitionMap m = map.get();
        if (hint != null && (request.getFromLeader() || request.getKnownEpoch() > m.getEpoch())) {
            return GetMapResponse.newBuilder().setCode(ErrorCode.NOT_LEADER).setServedBy(id)
                    .setLeaderHint(hint).build();
        }
        return response(m).toBuilder().setLeaderHint(hint == null ? "" : hint).build();
    }

    void stop() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private final class Service extends MetadataServiceGrpc.MetadataServiceImplBase {
        @Override
        public void getMap(GetMapRequest request, StreamObserver<GetMapResponse> out) {
            getMapCalls.incrementAndGet();
            GetMapResponse r = getMapHandler.apply(request);
            if (r != null) {
                out.onNext(r);
                out.onCompleted();
            }
        }

        @Override
        public void watchMap(WatchMapRequest request, StreamObserver<GetMapResponse> out) {
            watchRequests.add(request);
            ((ServerCallStreamObserver<GetMapResponse>) out)
                    .setOnCancelHandler(() -> watchers.remove(out));
            synchronized (out) {
                out.onNext(response(map.get()));
            }
            watchers.add(out);
        }

        @Override
        public void reportUnreachable(ReportUnreachableRequest request,
                StreamObserver<ReportUnreachableResponse> out) {
            reports.add(request);
            String hint = leaderHint;
            out.onNext(hint != null
                    ? ReportUnreachableResponse.newBuilder().setCode(ErrorCode.NOT_LEADER)
                            .setLeaderHint(hint).build()
                    : reportHandler.apply(request));
            out.onCompleted();
        }

        @Override
        public void getMemberStatus(MemberStatusRequest request, StreamObserver<MemberStatus> out) {
            out.onNext(MemberStatus.newBuilder().setId(id).setRpcAddress(address())
                    .setRole(leaderHint == null ? "LEADER" : "FOLLOWER")
                    .setMapEpoch(map.get().getEpoch()).build());
            out.onCompleted();
        }
    }
}
