package org.gtstore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.gtstore.bench.driver.DriverSettings;
import org.gtstore.bench.loadbalance.CountSource;
import org.gtstore.bench.loadbalance.GrpcClusterInspector;
import org.gtstore.bench.loadbalance.HeadCounter;
import org.gtstore.bench.loadbalance.LoadBalanceBenchmark;
import org.gtstore.bench.loadbalance.LoadBalanceConfig;
import org.gtstore.bench.loadbalance.LoadBalanceResult;
import org.gtstore.bench.progress.ProgressListener;
import org.gtstore.bench.report.ResultWriter;
import org.gtstore.bench.report.ThroughputRow;
import org.gtstore.bench.target.GtStoreClientTarget;
import org.gtstore.bench.throughput.ThroughputBenchmark;
import org.gtstore.bench.throughput.ThroughputConfig;
import org.gtstore.bench.throughput.ThroughputResult;
import org.gtstore.bench.workload.WorkloadConfig;
import org.gtstore.client.GtStoreClient;
import org.gtstore.proto.Chain;
import org.gtstore.proto.ClusterSettings;
import org.gtstore.proto.DataServiceGrpc;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetMapRequest;
import org.gtstore.proto.GetMapResponse;
import org.gtstore.proto.GetRequest;
import org.gtstore.proto.GetResponse;
import org.gtstore.proto.MetadataServiceGrpc;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.PutResponse;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;
import org.gtstore.proto.StatsRequest;
import org.gtstore.proto.StatsResponse;
import org.gtstore.proto.WatchMapRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both benchmarks through the real {@link GtStoreClient} over loopback gRPC, against one fake
 * metadata member and three fake data servers in this JVM that share one map of keys. It checks
 * the wiring the gtctl commands use (client adapter, cluster inspector, writers) end to end,
 * without a cluster of processes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoopbackClusterTest {
    private static final int SERVERS = 3;
    private static final int PARTITIONS = 64;

    private final Map<ByteString, ByteString> store = new ConcurrentHashMap<>();
    private final List<Server> grpcServers = new ArrayList<>();
    private PartitionMap map;
    private HeadCounter router;
    private String metadataAddress;

    @TempDir
    Path out;

    @BeforeEach
    void startFakes() throws IOException {
        List<Integer> ports = new ArrayList<>();
        for (int s = 1; s <= SERVERS; s++) {
            String id = "server" + s;
            ports.add(serve(new Data(id)).getPort());
        }
        map = map(ports);
        router = new HeadCounter(map);
        metadataAddress = "127.0.0.1:" + serve(new Metadata()).getPort();
    }

    @AfterEach
    void stopFakes() {
        grpcServers.forEach(Server::shutdownNow);
    }

    private Server serve(io.grpc.BindableService service) throws IOException {
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .directExecutor().addService(service).build().start();
        grpcServers.add(server);
        return server;
    }

    private static PartitionMap map(List<Integer> ports) {
        PartitionMap.Builder map = PartitionMap.newBuilder().setEpoch(3).setSettings(
                ClusterSettings.newBuilder().setPartitions(PARTITIONS).setReplication(1)
                        .setInitialServers(SERVERS));
        for (int s = 1; s <= SERVERS; s++) {
            map.addServers(ServerInfo.newBuilder().setId("server" + s).setIncarnation(1)
                    .setAddress("127.0.0.1:" + ports.get(s - 1)).setState(ServerState.ALIVE));
        }
        for (int p = 0; p < PARTITIONS; p++) {
            map.addChains(Chain.newBuilder().setPartition(p).setEpoch(3)
                    .addReplicas("server" + (p % SERVERS + 1)));
        }
        return map.build();
    }

    @Test
    void throughputRunsThroughTheClientAndWritesItsFiles() throws Exception {
        ThroughputConfig config = new ThroughputConfig(WorkloadConfig.builder().opCount(4_000)
                .keyCount(1_000).build(), new DriverSettings(16, 50, 20_000), true);
        ThroughputResult result;
        try (GtStoreClient client = client()) {
            result = ThroughputBenchmark.run(config, new GtStoreClientTarget(client), "K=1",
                    ProgressListener.NONE);
        }
        assertEquals(0, result.errors(), "errors: " + result.errorSamples());
        assertEquals(0, result.getMisses());
        assertEquals(4_000, result.get().count() + result.put().count());
        assertEquals(1_000, store.size());
        List<Path> files = ResultWriter.writeThroughput(out, List.of(new ThroughputRow(1, result)),
                "loopback");
        for (Path f : files) {
            assertTrue(Files.size(f) > 0, f + " is empty");
        }
    }

    @Test
    void loadBalanceCountsByTheServersAndAgreesWithTheMapAndReplies() throws Exception {
        LoadBalanceConfig config = new LoadBalanceConfig(5, 3_000, 32,
                new DriverSettings(16, 50, 20_000));
        LoadBalanceResult result;
        try (GtStoreClient client = client();
                GrpcClusterInspector inspector = new GrpcClusterInspector(
                        List.of(metadataAddress), Duration.ofSeconds(5))) {
            result = LoadBalanceBenchmark.run(config, new GtStoreClientTarget(client), inspector,
                    ProgressListener.NONE);
        }
        assertEquals(3_000, result.keys());
        assertEquals(0, result.errors());
        assertEquals(CountSource.SERVER_STATS, result.source());
        assertEquals(List.of(), result.notes());
        assertEquals(result.byMap(), result.byPutReplies());
        assertEquals(List.of("server1", "server2", "server3"),
                List.copyOf(result.keysPerServer().keySet()));
        assertEquals(3, ResultWriter.writeLoadBalance(out, result).size());
    }

    private GtStoreClient client() {
        return GtStoreClient.builder().metadataAddresses(List.of(metadataAddress))
                .deadline(Duration.ofSeconds(10)).build();
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

    /** A data server that heads the partitions the map gives it, over the shared store. */
    private final class Data extends DataServiceGrpc.DataServiceImplBase {
        private final String id;

        Data(String id) {
            this.id = id;
        }

        @Override
        public void put(PutRequest request, StreamObserver<PutResponse> response) {
            store.put(request.getKey(), request.getValue());
            response.onNext(PutResponse.newBuilder().setCode(ErrorCode.OK).setServerId(id)
                    .setEpoch(request.getEpoch()).setVersion(1).build());
            response.onCompleted();
        }

        @Override
        public void get(GetRequest request, StreamObserver<GetResponse> response) {
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
            response.onNext(StatsResponse.newBuilder().setServerId(id).setEpoch(3)
                    .setKeysHeaded(headed).build());
            response.onCompleted();
        }
    }
}
