package org.gtstore.bench;

import com.google.protobuf.ByteString;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.gtstore.bench.loadbalance.HeadCounter;
import org.gtstore.bench.suite.BenchCluster;
import org.gtstore.client.GtStoreClient;
import org.gtstore.proto.Chain;
import org.gtstore.proto.ClientBatch;
import org.gtstore.proto.ClientOp;
import org.gtstore.proto.ClusterSettings;
import org.gtstore.proto.DataServiceGrpc;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetMapRequest;
import org.gtstore.proto.GetMapResponse;
import org.gtstore.proto.GetRequest;
import org.gtstore.proto.GetResponse;
import org.gtstore.proto.MetadataServiceGrpc;
import org.gtstore.proto.OpReply;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.PutResponse;
import org.gtstore.proto.ReplyBatch;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;
import org.gtstore.proto.StatsRequest;
import org.gtstore.proto.StatsResponse;
import org.gtstore.proto.WatchMapRequest;

/**
 * A stand-in cluster in this JVM, over loopback gRPC: one metadata member serving a fixed map and
 * {@code servers} data servers sharing one key map. Each server answers whatever the client
 * sends it (no chain, no epoch checks) and reports as {@code keys_headed} the stored keys whose
 * head in the map it is. Enough for the real {@code GtStoreClient} to route, put and get.
 */
final class LoopbackCluster implements BenchCluster {
    private static final int PARTITIONS = 64;
    private static final long EPOCH = 3;

    final Map<ByteString, ByteString> store = new ConcurrentHashMap<>();
    private final List<Server> grpcServers = new ArrayList<>();
    private final PartitionMap map;
    private final HeadCounter router;
    private final String metadataAddress;
    private volatile boolean closed;

    LoopbackCluster(int servers, int replication) throws IOException {
        List<Integer> ports = new ArrayList<>();
        for (int s = 1; s <= servers; s++) {
            ports.add(serve(new Data("server" + s)).getPort());
        }
        this.map = map(ports, replication);
        this.router = new HeadCounter(map);
        this.metadataAddress = "127.0.0.1:" + serve(new Metadata()).getPort();
    }

    @Override
    public List<String> metadataAddresses() {
        return List.of(metadataAddress);
    }

    /**
     * A client for tests: attempts get 5 s rather than 1 s, so a slow, shared test machine
     * does not turn a late answer into a retry through the metadata.
     */
    static GtStoreClient client(List<String> metadataAddresses) {
        return GtStoreClient.builder().metadataAddresses(metadataAddresses)
                .requestTimeout(Duration.ofSeconds(5)).deadline(Duration.ofSeconds(30)).build();
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        grpcServers.forEach(Server::shutdownNow);
    }

    private Server serve(BindableService service) throws IOException {
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .directExecutor().addService(service).build().start();
        grpcServers.add(server);
        return server;
    }

    private static PartitionMap map(List<Integer> ports, int replication) {
        int servers = ports.size();
        PartitionMap.Builder map = PartitionMap.newBuilder().setEpoch(EPOCH).setSettings(
                ClusterSettings.newBuilder().setPartitions(PARTITIONS)
                        .setReplication(replication).setInitialServers(servers));
        for (int s = 1; s <= servers; s++) {
            map.addServers(ServerInfo.newBuilder().setId("server" + s).setIncarnation(1)
                    .setAddress("127.0.0.1:" + ports.get(s - 1)).setState(ServerState.ALIVE));
        }
        for (int p = 0; p < PARTITIONS; p++) {
            Chain.Builder chain = Chain.newBuilder().setPartition(p).setEpoch(EPOCH);
            for (int r = 0; r < replication; r++) {
                chain.addReplicas("server" + ((p + r) % servers + 1));
            }
            map.addChains(chain);
        }
        return map.build();
    }

    private final class Metadata extends MetadataServiceGrpc.MetadataServiceImplBase {
        @Override
        public void getMap(GetMapRequest request, StreamObserver<GetMapResponse> response) {
            response.onNext(mapResponse());
            response.onCompleted();
        }

        @Override
        public void watchMap(WatchMapRequest request, StreamObserver<GetMapResponse> response) {
            response.onNext(mapResponse()); // The map never changes; the stream stays open.
        }

        private GetMapResponse mapResponse() {
            return GetMapResponse.newBuilder().setCode(ErrorCode.OK).setMap(map)
                    .setServedBy("meta1").build();
        }
    }

    private final class Data extends DataServiceGrpc.DataServiceImplBase {
        private final String id;

        Data(String id) {
            this.id = id;
        }

        @Override
        public StreamObserver<ClientBatch> session(StreamObserver<ReplyBatch> out) {
            return new StreamObserver<>() {
                @Override
                public void onNext(ClientBatch batch) {
                    if (!batch.getClientId().isEmpty()) {
                        // Registered for Committed replies; this fake answers on the op instead.
                        synchronized (out) {
                            out.onNext(ReplyBatch.newBuilder().setRegistered(true).build());
                        }
                    }
                    for (ClientOp op : batch.getOpsList()) {
                        long id = op.getId();
                        if (op.hasPut()) {
                            put(op.getPut(), new Answer<PutResponse>(out,
                                    r -> OpReply.newBuilder().setId(id).setPut(r).build()));
                        } else {
                            get(op.getGet(), new Answer<GetResponse>(out,
                                    r -> OpReply.newBuilder().setId(id).setGet(r).build()));
                        }
                    }
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    synchronized (out) {
                        out.onCompleted();
                    }
                }
            };
        }

        private void put(PutRequest request, StreamObserver<PutResponse> response) {
            store.put(request.getKey(), request.getValue());
            response.onNext(PutResponse.newBuilder().setCode(ErrorCode.OK).setServerId(id)
                    .setEpoch(request.getEpoch()).setVersion(1).build());
            response.onCompleted();
        }

        private void get(GetRequest request, StreamObserver<GetResponse> response) {
            ByteString value = store.get(request.getKey());
            response.onNext(GetResponse.newBuilder()
                    .setCode(value == null ? ErrorCode.NOT_FOUND : ErrorCode.OK)
                    .setServerId(id).setEpoch(request.getEpoch())
                    .setValue(value == null ? ByteString.EMPTY : value).build());
            response.onCompleted();
        }

        @Override
        public void getStats(StatsRequest request, StreamObserver<StatsResponse> response) {
            long headed = store.keySet().stream()
                    .filter(k -> id.equals(router.headOf(k.toByteArray()))).count();
            response.onNext(StatsResponse.newBuilder().setServerId(id).setEpoch(EPOCH)
                    .setKeysHeaded(headed).build());
            response.onCompleted();
        }
    }
    /** A unary observer whose answer goes out on a session stream, one reply per message. */
    private static final class Answer<T> implements StreamObserver<T> {
        private final StreamObserver<ReplyBatch> out;
        private final java.util.function.Function<T, OpReply> wrap;

        Answer(StreamObserver<ReplyBatch> out, java.util.function.Function<T, OpReply> wrap) {
            this.out = out;
            this.wrap = wrap;
        }

        @Override
        public void onNext(T value) {
            synchronized (out) {
                try {
                    out.onNext(ReplyBatch.newBuilder().addReplies(wrap.apply(value)).build());
                } catch (RuntimeException e) {
                    // the session is gone
                }
            }
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
        }
    }
}
