package org.gtstore.dataserver.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.ChainHello;
import org.gtstore.proto.ChainMessage;
import org.gtstore.proto.DataServiceGrpc;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetRequest;
import org.gtstore.proto.GetResponse;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.proto.PartitionEpoch;
import org.gtstore.proto.PartitionSeq;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.PutResponse;
import org.gtstore.proto.Update;
import org.gtstore.proto.UpdateBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input at a real data server (RocksDB store, gRPC): a malformed client request or
 * chain message gets an error and changes nothing, and the server goes on serving. No request
 * may stop a server (DESIGN.md invariant 5).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DataServerIngressTest {
    private static final int PARTITIONS = 16;
    private static final KeyPartitioner PARTITIONER = new KeyPartitioner(PARTITIONS);
    private static final String HUGE_CLIENT_ID = "c".repeat(70_000);

    @TempDir
    Path dir;

    private FakeMetadataService meta;
    private LocalDataServers local;

    @AfterEach
    void stopAll() throws Exception {
        if (local != null) {
            local.close();   // fails the test if a driver stopped
        }
        if (meta != null) {
            meta.close();
        }
    }

    private void startChain(String... ids) throws Exception {
        meta = new FakeMetadataService(3000, 100);
        local = new LocalDataServers(dir);
        local.startChain(meta, PARTITIONS, ids);
    }

    private static PutRequest put(String key, String value, String clientId, long requestId) {
        return Requests.put(PARTITIONER, key, value, clientId, requestId);
    }

    private static GetRequest get(String key) {
        return Requests.get(PARTITIONER, key);
    }

    @Test
    void putWithAnOversizedClientIdIsRefusedAndTheServerGoesOnServing() throws Exception {
        startChain("s1");
        TestClient s = local.client("app").connect("s1");
        PutResponse bad = s.put("s1", put("k1", "v1", HUGE_CLIENT_ID, 1));
        assertEquals(ErrorCode.INVALID_ARGUMENT, bad.getCode(), bad.getMessage());
        // Its retry, and then a normal client, are served.
        assertEquals(ErrorCode.INVALID_ARGUMENT,
                s.put("s1", put("k1", "v1", HUGE_CLIENT_ID, 1)).getCode());
        assertEquals(ErrorCode.NOT_FOUND, s.get("s1", get("k1")).getCode(),
                "the refused put changed nothing");
        assertEquals(ErrorCode.OK, s.put("s1", put("k1", "v2", "app", 1)).getCode());
        GetResponse read = s.get("s1", get("k1"));
        assertEquals("v2", read.getValue().toStringUtf8());
    }

    @Test
    void putWithARequestIdButNoValidClientIdIsRefused() throws Exception {
        startChain("s1");
        TestClient s = local.client("app").connect("s1");
        assertEquals(ErrorCode.INVALID_ARGUMENT, s.put("s1", put("k1", "v1", "app", -5))
                .getCode());
        assertEquals(ErrorCode.INVALID_ARGUMENT, s.put("s1", put("k1", "v1", "", 7)).getCode(),
                "a put must name its client");
        assertEquals(ErrorCode.OK, s.put("s1", put("k1", "v1", "app", 5)).getCode());
    }

    @Test
    void malformedUpdatesFromAPredecessorAreNotAppliedAndTheServerGoesOnServing()
            throws Exception {
        // s2 is the tail of s1 -> s2; a forged predecessor stream (from "s1") sends updates
        // with an empty key and with an oversized client id.
        startChain("s1", "s2");
        ByteString k = ByteString.copyFromUtf8("forged");
        int p = PARTITIONER.partitionOf(k);
        LinkedBlockingQueue<ChainMessage> answers = new LinkedBlockingQueue<>();
        StreamObserver<ChainMessage> forged = DataServiceGrpc.newStub(local.channel("s2"))
                .chain(new StreamObserver<>() {
                    @Override
                    public void onNext(ChainMessage m) {
                        answers.add(m);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        forged.onNext(ChainMessage.newBuilder().setFrom("s1").setEpoch(1)
                .setHello(ChainHello.newBuilder().addPartitions(p).addApplied(PartitionSeq
                        .newBuilder().setPartition(p).setSeq(0).setChainEpoch(1))).build());
        answers.poll(10, TimeUnit.SECONDS);
        UpdateBatch.Builder updates = UpdateBatch.newBuilder()
                .addChainEpochs(PartitionEpoch.newBuilder().setPartition(p).setEpoch(1));
        updates.addUpdates(Update.newBuilder().setPartition(p).setSeq(1)
                .setKey(ByteString.EMPTY).setValue(ByteString.copyFromUtf8("x")));
        updates.addUpdates(Update.newBuilder().setPartition(p).setSeq(2).setKey(k)
                .setValue(ByteString.copyFromUtf8("x")).setClientId(HUGE_CLIENT_ID)
                .setRequestId(1));
        forged.onNext(ChainMessage.newBuilder().setFrom("s1").setEpoch(1)
                .setUpdates(updates).build());
        ChainMessage answer = answers.poll(10, TimeUnit.SECONDS);
        assertEquals(ChainMessage.BodyCase.REJECTED, answer == null ? null
                : answer.getBodyCase(), "the forged updates are rejected: " + answer);
        assertEquals(ErrorCode.INVALID_ARGUMENT, answer.getRejected().getCode());
        forged.onCompleted();

        TestClient c = local.client("app").connect("s1", "s2");
        assertEquals(ErrorCode.NOT_FOUND, c.get("s2", get("forged")).getCode());
        assertEquals(ErrorCode.OK, c.put("s1", put("forged", "real", "app", 1)).getCode());
        assertEquals("real", c.get("s2", get("forged")).getValue()
                .toString(StandardCharsets.UTF_8));
    }
}
