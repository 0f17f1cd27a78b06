package org.gtstore.dataserver.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gtstore.dataserver.rpc.Channels;
import org.gtstore.proto.DataServiceGrpc;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetRequest;
import org.gtstore.proto.GetResponse;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.proto.PingRequest;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.PutResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lease fencing through the real metadata session: a server whose heartbeats go unanswered for
 * the lease stops serving reads and writes (a zombie tail never serves a stale read), serves
 * again once answered, and re-registers as a new incarnation when told it was declared dead.
 * Also: a restarted server recovers its data and last applied seqs from RocksDB.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DataServerFencingTest {
    private static final int PARTITIONS = 4;
    private static final KeyPartitioner PARTITIONER = new KeyPartitioner(PARTITIONS);
    private static final ByteString KEY = ByteString.copyFrom("k", StandardCharsets.UTF_8);
    private static final int P = PARTITIONER.partitionOf(KEY);

    @TempDir
    Path dir;

    private FakeMetadataService meta;
    private DataServer server;
    private ManagedChannel channel;
    private TestClient client;
    private final List<Throwable> fatal = new ArrayList<>();

    private DataServiceGrpc.DataServiceBlockingStub stub() {
        if (channel == null) {
            channel = Channels.forAddress(server.address());
        }
        return DataServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    /** The client of the one server, opened (and registered) on first use. */
    private TestClient client() {
        if (client == null) {
            client = new TestClient(id -> {
                stub();
                return channel;
            }, () -> List.of("s1"), "test-client");
        }
        return client;
    }

    private PutResponse putResponse(long epoch, String value) throws Exception {
        return client().put("s1", PutRequest.newBuilder().setEpoch(epoch).setPartition(P)
                .setKey(KEY).setValue(ByteString.copyFrom(value, StandardCharsets.UTF_8))
                .build());
    }

    private ErrorCode put(long epoch, String value) throws Exception {
        return putResponse(epoch, value).getCode();
    }

    private GetResponse getResponse(long epoch) throws Exception {
        return client().get("s1", GetRequest.newBuilder().setEpoch(epoch).setPartition(P)
                .setKey(KEY).build());
    }

    private ErrorCode get(long epoch) throws Exception {
        return getResponse(epoch).getCode();
    }

    private void startSingleServer() throws Exception {
        server = DataServer.start(DataServerConfig.of("s1", "127.0.0.1", 0, dir.resolve("s1"),
                List.of(meta.address())), fatal::add);
        await().atMost(Duration.ofSeconds(10)).until(() -> meta.addresses.size() == 1);
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        Channels.close(channel);
        if (server != null) {
            server.close();
        }
        if (meta != null) {
            meta.close();
        }
        assertTrue(fatal.isEmpty(), "driver failures: " + fatal);
    }

    @Test
    void serverWithoutAnsweredHeartbeatsStopsServingUntilAnsweredAgain() throws Exception {
        meta = new FakeMetadataService(600, 50);
        startSingleServer();
        meta.publish(1, PARTITIONS, p -> List.of("s1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> get(1) == ErrorCode.NOT_FOUND);
        assertEquals(ErrorCode.OK, put(1, "v"));

        meta.heartbeatAnswer = null;
        await().atMost(Duration.ofSeconds(10)).until(() -> get(1) == ErrorCode.UNAVAILABLE);
        assertEquals(ErrorCode.UNAVAILABLE, put(1, "w"));

        meta.heartbeatAnswer = ErrorCode.OK;
        await().atMost(Duration.ofSeconds(10)).until(() -> get(1) == ErrorCode.OK);
        assertEquals(ErrorCode.OK, put(1, "w"));
    }

    @Test
    void serverDeclaredDeadFencesAtOnceAndRegistersAgain() throws Exception {
        meta = new FakeMetadataService(5000, 50);
        startSingleServer();
        meta.publish(1, PARTITIONS, p -> List.of("s1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> get(1) == ErrorCode.NOT_FOUND);
        long incarnation = stub().ping(PingRequest.getDefaultInstance()).getIncarnation();

        meta.heartbeatAnswer = ErrorCode.UNKNOWN_SERVER;
        // Well within the 5 s lease: UNKNOWN_SERVER ends it immediately.
        await().atMost(Duration.ofSeconds(3)).until(() -> meta.registrations.get() >= 2);
        meta.heartbeatAnswer = ErrorCode.OK;
        await().atMost(Duration.ofSeconds(10)).until(() -> stub().ping(
                PingRequest.getDefaultInstance()).getIncarnation() > incarnation);
        await().atMost(Duration.ofSeconds(10)).until(() -> get(1) == ErrorCode.NOT_FOUND);
    }

    @Test
    void restartedServerRecoversDataAndContinuesSeqs() throws Exception {
        meta = new FakeMetadataService(3000, 50);
        startSingleServer();
        meta.publish(1, PARTITIONS, p -> List.of("s1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> get(1) == ErrorCode.NOT_FOUND);
        assertEquals(ErrorCode.OK, put(1, "v1"));
        assertEquals(ErrorCode.OK, put(1, "v2"));
        client.close();
        client = null;
        Channels.close(channel);
        channel = null;
        server.close();

        server = DataServer.start(DataServerConfig.of("s1", "127.0.0.1", 0, dir.resolve("s1"),
                List.of(meta.address())), fatal::add);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.epoch() == 1
                && server.leaseValid());
        GetResponse read = getResponse(1);
        assertEquals("v2", read.getValue().toStringUtf8());
        assertEquals(2, read.getVersion());
        assertEquals(3, putResponse(1, "v3").getVersion());
    }
}
