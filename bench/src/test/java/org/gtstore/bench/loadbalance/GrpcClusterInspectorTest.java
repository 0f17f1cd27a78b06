package org.gtstore.bench.loadbalance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gtstore.bench.driver.BenchmarkException;
import org.gtstore.proto.DataServiceGrpc;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetMapRequest;
import org.gtstore.proto.GetMapResponse;
import org.gtstore.proto.MetadataServiceGrpc;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;
import org.gtstore.proto.StatsRequest;
import org.gtstore.proto.StatsResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GrpcClusterInspectorTest {
    private final List<Server> servers = new ArrayList<>();
    private GrpcClusterInspector inspector;

    @AfterEach
    void tearDown() {
        if (inspector != null) {
            inspector.close();
        }
        servers.forEach(Server::shutdownNow);
    }

    private void serve(String name, io.grpc.BindableService service) throws IOException {
        servers.add(InProcessServerBuilder.forName(name).directExecutor().addService(service)
                .build().start());
    }

    private static final class Metadata extends MetadataServiceGrpc.MetadataServiceImplBase {
        private final PartitionMap map;
        private final boolean fail;

        Metadata(PartitionMap map, boolean fail) {
            this.map = map;
            this.fail = fail;
        }

        @Override
        public void getMap(GetMapRequest request, StreamObserver<GetMapResponse> out) {
            if (fail) {
                out.onError(Status.UNAVAILABLE.withDescription("member down").asException());
                return;
            }
            out.onNext(GetMapResponse.newBuilder().setCode(ErrorCode.OK).setMap(map).build());
            out.onCompleted();
        }
    }

    private static final class Data extends DataServiceGrpc.DataServiceImplBase {
        private final String id;
        private final long keysHeaded;

        Data(String id, long keysHeaded) {
            this.id = id;
            this.keysHeaded = keysHeaded;
        }

        @Override
        public void getStats(StatsRequest request, StreamObserver<StatsResponse> out) {
            out.onNext(StatsResponse.newBuilder().setServerId(id).setKeysHeaded(keysHeaded)
                    .setKeysHeld(keysHeaded * 3).build());
            out.onCompleted();
        }
    }

    private GrpcClusterInspector inspector(List<String> metadata) {
        return new GrpcClusterInspector(metadata,
                name -> InProcessChannelBuilder.forName(name).directExecutor().build(),
                Duration.ofSeconds(5));
    }

    /** server1..server3 in the map, at in-process addresses "server1.test:1" and so on. */
    private PartitionMap threeServers(long epoch) {
        return TestMaps.roundRobin(8, 3, 1, epoch);
    }

    @Test
    void takesTheNewestMapAmongTheMembersThatAnswer() throws IOException {
        serve("meta1", new Metadata(threeServers(4), false));
        serve("meta2", new Metadata(threeServers(9), false));
        serve("meta3", new Metadata(threeServers(1), true));
        inspector = inspector(List.of("meta1", "meta2", "meta3"));
        assertEquals(9, inspector.map().getEpoch());
    }

    @Test
    void noMemberAnsweringIsOneClearError() throws IOException {
        serve("meta1", new Metadata(threeServers(1), true));
        inspector = inspector(List.of("meta1", "meta-missing"));
        BenchmarkException e = assertThrows(BenchmarkException.class, inspector::map);
        assertTrue(e.getMessage().startsWith("no metadata member served a map: [meta1: "
                + "Status{code=UNAVAILABLE"), e.getMessage());
    }

    @Test
    void asksEveryLiveServerForTheKeysItHeads() throws IOException {
        PartitionMap map = threeServers(2).toBuilder()
                .addServers(ServerInfo.newBuilder().setId("server4").setAddress("server4.test:1")
                        .setState(ServerState.DEAD))
                .build();
        serve("meta1", new Metadata(map, false));
        serve("server1.test:1", new Data("server1", 10));
        serve("server2.test:1", new Data("server2", 20));
        serve("server3.test:1", new Data("server3", 30));
        inspector = inspector(List.of("meta1"));
        Map<String, Long> counts = inspector.keysHeaded();
        assertEquals(Map.of("server1", 10L, "server2", 20L, "server3", 30L), counts);
        assertEquals(List.of("server1", "server2", "server3"), List.copyOf(counts.keySet()));
    }

    @Test
    void aServerAnsweringUnderAnotherIdIsAnError() throws IOException {
        serve("meta1", new Metadata(threeServers(2), false));
        serve("server1.test:1", new Data("server1", 10));
        serve("server2.test:1", new Data("server3", 20));
        serve("server3.test:1", new Data("server3", 30));
        inspector = inspector(List.of("meta1"));
        BenchmarkException e = assertThrows(BenchmarkException.class, inspector::keysHeaded);
        assertEquals("the map says server2.test:1 is server2 but it answers as server3",
                e.getMessage());
    }
}
