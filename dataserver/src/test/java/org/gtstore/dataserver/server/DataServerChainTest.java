package org.gtstore.dataserver.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.LinkedBlockingQueue;
import org.gtstore.proto.ClientBatch;
import org.gtstore.proto.ClientOp;
import org.gtstore.proto.OpReply;
import org.gtstore.proto.ReplyBatch;
import org.gtstore.proto.DataServiceGrpc;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetRequest;
import org.gtstore.proto.GetResponse;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.proto.PingRequest;
import org.gtstore.proto.PingResponse;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.PutResponse;
import org.gtstore.proto.StatsRequest;
import org.gtstore.proto.StatsResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real data servers in one JVM, on free ports, with a fake metadata service: puts and gets
 * over gRPC through a chain of three, then a map change that removes the killed middle server
 * while writes are in flight; no acknowledged or in-flight write is lost.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DataServerChainTest {
    private static final int PARTITIONS = 16;
    private static final KeyPartitioner PARTITIONER = new KeyPartitioner(PARTITIONS);

    @TempDir
    Path dir;

    private FakeMetadataService meta;
    private LocalDataServers local;

    private DataServer startServer(String id) throws Exception {
        if (local == null) {
            local = new LocalDataServers(dir);
        }
        return local.start(id, meta);
    }

    private DataServiceGrpc.DataServiceBlockingStub stub(String id) {
        return DataServiceGrpc.newBlockingStub(local.channel(id))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private DataServiceGrpc.DataServiceFutureStub futureStub(String id) {
        return DataServiceGrpc.newFutureStub(local.channel(id))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static PutRequest put(long epoch, String key, String value, long requestId) {
        ByteString k = ByteString.copyFrom(key, StandardCharsets.UTF_8);
        return PutRequest.newBuilder().setEpoch(epoch).setPartition(PARTITIONER.partitionOf(k))
                .setKey(k).setValue(ByteString.copyFrom(value, StandardCharsets.UTF_8))
                .setClientId("test-client").setRequestId(requestId).build();
    }

    private GetResponse get(String server, long epoch, String key) {
        return local.get(server, PARTITIONER, epoch, key);
    }

    private void awaitEpoch(long epoch, String... ids) {
        local.awaitEpoch(Duration.ofSeconds(10), epoch, ids);
    }

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
    void chainOfThreeServesOverGrpcAndSurvivesLosingTheMiddle() throws Exception {
        meta = new FakeMetadataService(3000, 100);
        for (String id : List.of("s1", "s2", "s3")) {
            startServer(id);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> meta.addresses.size() == 3);
        meta.publish(1, PARTITIONS, p -> List.of("s1", "s2", "s3"));
        awaitEpoch(1, "s1", "s2", "s3");

        PutResponse first = stub("s1").put(put(1, "alpha", "one", 1));
        assertEquals(ErrorCode.OK, first.getCode(), first.getMessage());
        assertEquals("s1", first.getServerId());
        assertEquals(1, first.getVersion());
        GetResponse read = get("s3", 1, "alpha");
        assertEquals(ErrorCode.OK, read.getCode());
        assertEquals("one", read.getValue().toStringUtf8());
        assertEquals("s3", read.getServerId());
        assertEquals(ErrorCode.NOT_RESPONSIBLE, get("s2", 1, "alpha").getCode());
        assertEquals(ErrorCode.STALE_EPOCH, stub("s1").put(put(0, "alpha", "x", 99)).getCode());

        // Many writes in flight at once, batched along the chain.
        List<CompletableFuture<PutResponse>> acked = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            acked.add(toFuture(futureStub("s1").put(put(1, "key" + i, "v" + i, 100 + i))));
        }
        for (CompletableFuture<PutResponse> f : acked) {
            assertEquals(ErrorCode.OK, f.get(10, TimeUnit.SECONDS).getCode());
        }

        // The middle dies with writes in flight; the metadata removes it.
        local.stop("s2");
        List<CompletableFuture<PutResponse>> inFlight = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            inFlight.add(toFuture(futureStub("s1").put(put(1, "late" + i, "w" + i, 1000 + i))));
        }
        // The head finds the middle's port refused and reports it (the metadata's fast path).
        await().atMost(Duration.ofSeconds(10)).until(() -> meta.unreachableReports.contains("s2"));
        meta.publish(2, PARTITIONS, p -> List.of("s1", "s3"));
        awaitEpoch(2, "s1", "s3");
        for (int i = 0; i < 50; i++) {
            PutResponse r = inFlight.get(i).get(10, TimeUnit.SECONDS);
            if (r.getCode() != ErrorCode.OK) {
                // A put that reached the head before the map change but got an error (e.g. a
                // timeout) is retried as a client would: same ids, new epoch, deduplicated.
                r = stub("s1").put(put(2, "late" + i, "w" + i, 1000 + i));
            }
            assertEquals(ErrorCode.OK, r.getCode(), r.getMessage());
        }
        for (int i = 0; i < 500; i += 7) {
            assertEquals("v" + i, get("s3", 2, "key" + i).getValue().toStringUtf8());
        }
        for (int i = 0; i < 50; i++) {
            assertEquals("w" + i, get("s3", 2, "late" + i).getValue().toStringUtf8());
        }
        PutResponse after = stub("s1").put(put(2, "alpha", "two", 5000));
        assertEquals(ErrorCode.OK, after.getCode());
        assertTrue(after.getVersion() > 1);
        assertEquals("two", get("s3", 2, "alpha").getValue().toStringUtf8());

        PingResponse ping = stub("s3").ping(PingRequest.getDefaultInstance());
        assertEquals("s3", ping.getServerId());
        assertEquals(2, ping.getEpoch());
        StatsResponse stats = stub("s1").getStats(StatsRequest.getDefaultInstance());
        assertEquals(551, stats.getKeysHeld());
        assertEquals(551, stats.getKeysHeaded());
        // Every write is acknowledged, so the tail has applied what the head has.
        StatsResponse tailStats = stub("s3").getStats(StatsRequest.getDefaultInstance());
        assertEquals(PARTITIONS, stats.getAppliedCount());
        assertEquals(stats.getAppliedList(), tailStats.getAppliedList());
        assertTrue(stats.getAppliedList().stream().anyMatch(a -> a.getSeq() > 1),
                stats.getAppliedList().toString());
    }

    @Test
    void sessionAnswersEachOperationOfABatchExactlyAsTheUnaryCallWould() throws Exception {
        // Goal: a Session batch mixing good puts, a stale-epoch put, a retried put, a get at a
        // non-tail and gets at the tail gets, per id, the answers the unary calls give; the
        // server ends the stream when the client half-closes it.
        meta = new FakeMetadataService(3000, 100);
        for (String id : List.of("s1", "s2", "s3")) {
            startServer(id);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> meta.addresses.size() == 3);
        meta.publish(1, PARTITIONS, p -> List.of("s1", "s2", "s3"));
        awaitEpoch(1, "s1", "s2", "s3");

        ClientBatch.Builder writes = ClientBatch.newBuilder();
        for (int i = 0; i < 20; i++) {
            writes.addOps(ClientOp.newBuilder().setId(i).setPut(put(1, "s" + i, "v" + i, 10 + i)));
        }
        writes.addOps(ClientOp.newBuilder().setId(20).setPut(put(0, "stale", "x", 99)));
        writes.addOps(ClientOp.newBuilder().setId(21).setPut(put(1, "s0", "v0", 10)));
        ByteString k = ByteString.copyFromUtf8("s0");
        writes.addOps(ClientOp.newBuilder().setId(22).setGet(GetRequest.newBuilder()
                .setEpoch(1).setPartition(PARTITIONER.partitionOf(k)).setKey(k)));
        Map<Long, OpReply> w = session("s1", writes.build(), 23);
        long v0 = w.get(0L).getPut().getVersion();
        for (long i = 0; i < 20; i++) {
            assertEquals(ErrorCode.OK, w.get(i).getPut().getCode(), w.get(i).toString());
            assertEquals("s1", w.get(i).getPut().getServerId());
        }
        assertEquals(ErrorCode.STALE_EPOCH, w.get(20L).getPut().getCode());
        assertEquals(ErrorCode.OK, w.get(21L).getPut().getCode(), "a retry is deduplicated");
        assertEquals(v0, w.get(21L).getPut().getVersion());
        assertEquals(stub("s3").get(GetRequest.newBuilder().setEpoch(1)
                .setPartition(PARTITIONER.partitionOf(k)).setKey(k).build()).getCode(),
                ErrorCode.OK);
        assertEquals(get("s1", 1, "s0").getCode(), w.get(22L).getGet().getCode(),
                "a get at the head answers as the unary get does");

        ClientBatch.Builder reads = ClientBatch.newBuilder();
        for (int i = 0; i < 20; i++) {
            ByteString key = ByteString.copyFromUtf8("s" + i);
            reads.addOps(ClientOp.newBuilder().setId(100 + i).setGet(GetRequest.newBuilder()
                    .setEpoch(1).setPartition(PARTITIONER.partitionOf(key)).setKey(key)));
        }
        Map<Long, OpReply> r = session("s3", reads.build(), 20);
        for (int i = 0; i < 20; i++) {
            GetResponse g = r.get(100L + i).getGet();
            assertEquals(ErrorCode.OK, g.getCode());
            assertEquals("v" + i, g.getValue().toStringUtf8());
        }
    }

    /** Sends one batch on a new session, waits for {@code n} answers, then half-closes. */
    private Map<Long, OpReply> session(String id, ClientBatch batch, int n) throws Exception {
        LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
        StreamObserver<ClientBatch> out = DataServiceGrpc.newStub(local.channel(id))
                .session(new StreamObserver<ReplyBatch>() {
                    @Override
                    public void onNext(ReplyBatch b) {
                        events.addAll(b.getRepliesList());
                    }

                    @Override
                    public void onError(Throwable t) {
                        events.add(t);
                    }

                    @Override
                    public void onCompleted() {
                        events.add("completed");
                    }
                });
        out.onNext(batch);
        Map<Long, OpReply> replies = new HashMap<>();
        while (replies.size() < n) {
            Object e = events.poll(10, TimeUnit.SECONDS);
            assertTrue(e instanceof OpReply, "expected an answer, got " + e);
            OpReply reply = (OpReply) e;
            assertTrue(replies.put(reply.getId(), reply) == null, "answered twice: " + reply);
        }
        out.onCompleted();
        assertEquals("completed", events.poll(10, TimeUnit.SECONDS));
        return replies;
    }

    private static <T> CompletableFuture<T> toFuture(
            com.google.common.util.concurrent.ListenableFuture<T> lf) {
        CompletableFuture<T> cf = new CompletableFuture<>();
        com.google.common.util.concurrent.Futures.addCallback(lf,
                new com.google.common.util.concurrent.FutureCallback<T>() {
                    @Override
                    public void onSuccess(T result) {
                        cf.complete(result);
                    }

                    @Override
                    public void onFailure(Throwable t) {
                        cf.completeExceptionally(t);
                    }
                }, Runnable::run);
        return cf;
    }
}
