package org.gtstore.dataserver.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.OpReply;
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

    private static PutRequest put(long epoch, String key, String value, long requestId) {
        ByteString k = ByteString.copyFrom(key, StandardCharsets.UTF_8);
        return PutRequest.newBuilder().setEpoch(epoch).setPartition(PARTITIONER.partitionOf(k))
                .setKey(k).setValue(ByteString.copyFrom(value, StandardCharsets.UTF_8))
                .setClientId("test-client").setRequestId(requestId).build();
    }

    private GetResponse get(String server, long epoch, String key) throws Exception {
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

    /** s1 -> s2 -> s3 for every partition at epoch 1, and a client connected to all three. */
    private TestClient chainOfThreeAtEpoch1() throws Exception {
        meta = new FakeMetadataService(3000, 100);
        for (String id : List.of("s1", "s2", "s3")) {
            startServer(id);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> meta.addresses.size() == 3);
        meta.publish(1, PARTITIONS, p -> List.of("s1", "s2", "s3"));
        awaitEpoch(1, "s1", "s2", "s3");
        TestClient client = local.client("test-client").connect("s1", "s2", "s3");
        return client;
    }

    @Test
    void chainOfThreeServesOverGrpcAndSurvivesLosingTheMiddle() throws Exception {
        TestClient client = chainOfThreeAtEpoch1();

        PutResponse first = client.put("s1", put(1, "alpha", "one", 1));
        assertEquals(ErrorCode.OK, first.getCode(), first.getMessage());
        assertEquals("s1", first.getServerId());
        assertEquals(1, first.getVersion());
        GetResponse read = get("s3", 1, "alpha");
        assertEquals(ErrorCode.OK, read.getCode());
        assertEquals("one", read.getValue().toStringUtf8());
        assertEquals("s3", read.getServerId());
        assertEquals(ErrorCode.NOT_RESPONSIBLE, get("s2", 1, "alpha").getCode());
        assertEquals(ErrorCode.STALE_EPOCH, client.put("s1", put(0, "alpha", "x", 99)).getCode());

        // Many writes in flight at once, batched along the chain.
        List<CompletableFuture<PutResponse>> acked = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            acked.add(client.putAsync("s1", put(1, "key" + i, "v" + i, 100 + i)));
        }
        for (CompletableFuture<PutResponse> f : acked) {
            assertEquals(ErrorCode.OK, f.get(10, TimeUnit.SECONDS).getCode());
        }

        // The middle dies with writes in flight; the metadata removes it.
        local.stop("s2");
        List<CompletableFuture<PutResponse>> inFlight = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            inFlight.add(client.putAsync("s1", put(1, "late" + i, "w" + i, 1000 + i)));
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
                r = client.put("s1", put(2, "late" + i, "w" + i, 1000 + i));
            }
            assertEquals(ErrorCode.OK, r.getCode(), r.getMessage());
        }
        for (int i = 0; i < 500; i += 7) {
            assertEquals("v" + i, get("s3", 2, "key" + i).getValue().toStringUtf8());
        }
        for (int i = 0; i < 50; i++) {
            assertEquals("w" + i, get("s3", 2, "late" + i).getValue().toStringUtf8());
        }
        PutResponse after = client.put("s1", put(2, "alpha", "two", 5000));
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
    void sessionAnswersEveryOperationOfABatch() throws Exception {
        // Goal: one Session batch mixing good puts, a stale-epoch put, a retried put and a get
        // at a non-tail gets an answer for every operation: the puts from the tail (Committed),
        // the stale one and the get from the head, the retry with the original version.
        TestClient client = chainOfThreeAtEpoch1();

        List<PutRequest> puts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            puts.add(put(1, "s" + i, "v" + i, 10 + i));
        }
        puts.add(put(0, "stale", "x", 99));
        puts.add(put(1, "s0", "v0", 10));
        ByteString k = ByteString.copyFromUtf8("s0");
        List<CompletableFuture<OpReply>> w = client.send("s1", puts, List.of(GetRequest
                .newBuilder().setEpoch(1).setPartition(PARTITIONER.partitionOf(k)).setKey(k)
                .build()));
        long v0 = answer(w, 0).getPut().getVersion();
        for (int i = 0; i < 20; i++) {
            assertEquals(ErrorCode.OK, answer(w, i).getPut().getCode(), answer(w, i).toString());
            assertEquals("s1", answer(w, i).getPut().getServerId());
        }
        assertEquals(ErrorCode.STALE_EPOCH, answer(w, 20).getPut().getCode());
        assertEquals(ErrorCode.OK, answer(w, 21).getPut().getCode(), "a retry is deduplicated");
        assertEquals(v0, answer(w, 21).getPut().getVersion());
        assertEquals(ErrorCode.NOT_RESPONSIBLE, answer(w, 22).getGet().getCode(),
                "the head is not the tail");

        List<GetRequest> gets = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ByteString key = ByteString.copyFromUtf8("s" + i);
            gets.add(GetRequest.newBuilder().setEpoch(1)
                    .setPartition(PARTITIONER.partitionOf(key)).setKey(key).build());
        }
        List<CompletableFuture<OpReply>> r = client.send("s3", List.of(), gets);
        for (int i = 0; i < 20; i++) {
            GetResponse g = answer(r, i).getGet();
            assertEquals(ErrorCode.OK, g.getCode());
            assertEquals("v" + i, g.getValue().toStringUtf8());
        }
    }

    @Test
    void statsCountTheChainMessagesFlushesAndRepliesEachServerSent() throws Exception {
        // Goal: GetStats reports the process id and what each server sent since it started:
        // chain messages per flush and updates per UpdateBatch down a chain of three, and the
        // tail's replies to the client, so a benchmark can read them before and after a run.
        TestClient client = chainOfThreeAtEpoch1();
        List<CompletableFuture<PutResponse>> acked = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            acked.add(client.putAsync("s1", put(1, "key" + i, "v" + i, 100 + i)));
        }
        for (CompletableFuture<PutResponse> f : acked) {
            assertEquals(ErrorCode.OK, f.get(10, TimeUnit.SECONDS).getCode());
        }
        for (String id : List.of("s1", "s2")) {
            StatsResponse s = stub(id).getStats(StatsRequest.getDefaultInstance());
            assertEquals(ProcessHandle.current().pid(), s.getPid());
            assertTrue(s.getUpdates() >= 200, id + ": " + s);
            assertTrue(s.getUpdateMessages() >= 1 && s.getUpdateMessages() <= s.getUpdates(),
                    id + ": " + s);
            assertTrue(s.getChainMessages() >= s.getUpdateMessages(), id + ": " + s);
            assertTrue(s.getChainFlushes() >= 1 && s.getChainFlushes() <= s.getChainMessages(),
                    id + ": " + s);
        }
        StatsResponse tail = stub("s3").getStats(StatsRequest.getDefaultInstance());
        assertTrue(tail.getReplies() >= 200, "the tail answers every put: " + tail);
        assertTrue(tail.getReplyMessages() >= 1 && tail.getReplyMessages() <= tail.getReplies(),
                tail.toString());
        assertEquals(0, tail.getUpdates(), "the tail forwards no update: " + tail);
        StatsResponse counts = stub("s3").getStats(
                StatsRequest.newBuilder().setCountsOnly(true).build());
        assertEquals(tail.getReplies(), counts.getReplies());
        assertEquals(0, counts.getKeysHeld(), "counts only: no store scan");
        assertEquals(0, counts.getAppliedCount());
    }

    private static OpReply answer(List<CompletableFuture<OpReply>> answers, int i)
            throws Exception {
        return answers.get(i).get(10, TimeUnit.SECONDS);
    }
}
