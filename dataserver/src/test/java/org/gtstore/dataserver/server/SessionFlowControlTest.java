package org.gtstore.dataserver.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.gtstore.proto.ClientBatch;
import org.gtstore.proto.ClientOp;
import org.gtstore.proto.DataServiceGrpc;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetRequest;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.ReplyBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that sends puts as fast as its transport lets it and never reads an answer. The
 * server must stop reading its session once the answers back up (HTTP/2 flow control then
 * stops the client), instead of taking in everything it sends and buffering every answer; and
 * it goes on serving everyone else.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SessionFlowControlTest {
    private static final int PARTITIONS = 16;
    private static final KeyPartitioner PARTITIONER = new KeyPartitioner(PARTITIONS);
    /** Far more than the server takes in before it stops reading (a few hundred batches). */
    private static final int BATCHES_MAX = 20_000;
    private static final int PUTS_PER_BATCH = 20;

    @TempDir
    Path dir;

    private FakeMetadataService meta;
    private LocalDataServers local;

    @AfterEach
    void stopAll() throws Exception {
        if (local != null) {
            local.close();
        }
        if (meta != null) {
            meta.close();
        }
    }

    @Test
    void aClientThatNeverReadsItsAnswersIsHeldBackAndOthersAreServed() throws Exception {
        meta = new FakeMetadataService(3000, 100);
        local = new LocalDataServers(dir);
        local.startChain(meta, PARTITIONS, "s1");

        AtomicBoolean ready = new AtomicBoolean();
        ClientCallStreamObserver<ClientBatch>[] call = new ClientCallStreamObserver[1];
        DataServiceGrpc.newStub(local.channel("s1")).session(
                new ClientResponseObserver<ClientBatch, ReplyBatch>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<ClientBatch> c) {
                        call[0] = c;
                        c.disableAutoRequestWithInitial(0);   // never reads an answer
                        c.setOnReadyHandler(() -> ready.set(c.isReady()));
                    }

                    @Override
                    public void onNext(ReplyBatch value) {
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        int sent = 0;
        long id = 0;
        String value = "v".repeat(100);
        while (sent < BATCHES_MAX) {
            if (!call[0].isReady()) {
                // Held back: give the transport a moment to drain what the server still reads.
                boolean moved = awaitReady(call[0]);
                if (!moved) {
                    break;
                }
            }
            ClientBatch.Builder b = ClientBatch.newBuilder().setClientId("flood");
            for (int i = 0; i < PUTS_PER_BATCH; i++) {
                id++;
                b.addOps(ClientOp.newBuilder().setId(id).setPut(put("flood-" + (id % 500),
                        value, "flood", id)));
            }
            call[0].onNext(b.build());
            sent++;
        }
        System.out.printf("[flow control] the server stopped reading after %d batches of %d"
                + " puts%n", sent, PUTS_PER_BATCH);
        assertTrue(sent < BATCHES_MAX, "the server read all " + sent + " batches");

        TestClient other = local.client("other").connect("s1");
        assertEquals(ErrorCode.OK, other.put("s1", put("k", "v", "other", 1)).getCode());
        assertEquals("v", other.get("s1", get("k")).getValue().toStringUtf8());
        call[0].cancel("done", null);
    }

    /** True if the call becomes ready again within a second. */
    private static boolean awaitReady(ClientCallStreamObserver<ClientBatch> call) {
        try {
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
                    .until(call::isReady);
            return true;
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            return false;
        }
    }

    private static PutRequest put(String key, String value, String clientId, long requestId) {
        return Requests.put(PARTITIONER, key, value, clientId, requestId);
    }

    private static GetRequest get(String key) {
        return Requests.get(PARTITIONER, key);
    }
}
