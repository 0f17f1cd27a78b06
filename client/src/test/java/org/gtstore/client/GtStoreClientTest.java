package org.gtstore.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.gtstore.proto.Chain;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.PutResponse;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.ReportUnreachableResponse;
import org.gtstore.proto.ServerState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client against a fake metadata member and fake data servers on loopback ports. */
@Timeout(30)
class GtStoreClientTest {
    private static final int PARTITIONS = 16;
    private static final KeyPartitioner PARTITIONER = new KeyPartitioner(PARTITIONS);

    private FakeMetadataServer meta;
    private final List<FakeDataServer> servers = new ArrayList<>();
    private final List<GtStoreClient> clients = new ArrayList<>();

    @BeforeEach
    void startMetadata() throws Exception {
        meta = new FakeMetadataServer("meta1");
    }

    @AfterEach
    void stopAll() throws Exception {
        clients.forEach(GtStoreClient::close);
        for (FakeDataServer s : servers) {
            s.close();
        }
        meta.close();
    }

    private List<FakeDataServer> startServers(int n) throws Exception {
        List<FakeDataServer> list = TestMaps.servers(n);
        servers.addAll(list);
        return list;
    }

    private GtStoreClient client(Duration deadline, Duration requestTimeout) {
        GtStoreClient c = GtStoreClient.builder()
                .metadataAddresses(List.of(meta.address()))
                .clientId("test-client")
                .requestTimeout(requestTimeout)
                .deadline(deadline)
                .build();
        clients.add(c);
        return c;
    }

    private GtStoreClient client() {
        return client(Duration.ofSeconds(10), Duration.ofMillis(1000));
    }

    private static int partitionOf(String key) {
        return PARTITIONER.partitionOf(key.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aPutIsAnsweredByItsTailOrByItsHeadWhicheverComesFirst() throws Exception {
        // Goal: the client registers with the tail before it sends a put to the head, then
        // takes the tail's Committed reply (the fakes send OK that way) or the head's own
        // answer (a retry of a write it already applied), each once.
        List<FakeDataServer> s = startServers(3);
        meta.setMap(TestMaps.rotated(1, PARTITIONS, 3, s));
        GtStoreClient c = client();
        String key = "key1";
        int p = partitionOf(key);
        FakeDataServer head = s.get(p % 3);
        FakeDataServer tail = s.get((p + 2) % 3);

        PutResult committed = c.put(key, "v");
        assertEquals(head.id, committed.serverId(), "the reply names the head");
        assertTrue(tail.sessions.get() >= 1, "the tail knows the client");

        head.putHandler = r -> PutResponse.newBuilder().setCode(ErrorCode.OK).setServerId(head.id)
                .setEpoch(1).setVersion(7).setMessage(FakeDataServer.RETRY).build();
        PutResult answered = c.put(key, "w");
        assertEquals(7, answered.version());
        assertEquals(head.id, answered.serverId());
    }

    @Test
    void putGoesToChainHeadAndGetGoesToChainTail() throws Exception {
        // Goal: every write lands on the head of its key's chain, every read on its tail.
        List<FakeDataServer> s = startServers(3);
        meta.setMap(TestMaps.rotated(1, PARTITIONS, 3, s));
        GtStoreClient c = client();

        for (int i = 0; i < 30; i++) {
            String key = "key" + i;
            int p = partitionOf(key);
            FakeDataServer head = s.get(p % 3);
            FakeDataServer tail = s.get((p + 2) % 3);

            PutResult put = c.put(key, "value" + i);
            assertEquals(head.id, put.serverId(), key);
            assertEquals(p, put.partition());
            assertEquals(List.of(head.id, s.get((p + 1) % 3).id, tail.id), put.chain());
            assertEquals(1, put.epoch());
            PutRequest sent = head.puts.get(head.puts.size() - 1);
            assertEquals(p, sent.getPartition());
            assertEquals(1, sent.getEpoch());
            assertEquals(1, sent.getChainEpoch(), "the chain's epoch rides with the request");

            GetResult get = c.get(key);
            assertTrue(get.found());
            assertEquals("value" + i, get.valueUtf8());
            assertEquals(key, get.keyUtf8());
            assertEquals(tail.id, get.serverId());
            assertEquals(p, get.partition());
            assertEquals(key, tail.gets.get(tail.gets.size() - 1).getKey().toStringUtf8());
            assertEquals(1, tail.gets.get(tail.gets.size() - 1).getChainEpoch());
        }
        int headed = 0;
        for (FakeDataServer f : s) {
            headed += f.puts.isEmpty() ? 0 : 1;
        }
        assertEquals(3, headed, "30 keys over 16 partitions should reach every head");
    }

    @Test
    void getOfKeyNeverWrittenIsNotFound() throws Exception {
        List<FakeDataServer> s = startServers(1);
        meta.setMap(TestMaps.rotated(1, PARTITIONS, 1, s));
        GetResult g = client().get("missing");
        assertFalse(g.found());
        assertEquals(0, g.value().length);
        assertEquals("server1", g.serverId());
    }

    @Test
    void nonAsciiKeysAndBinaryValuesRoundTrip() throws Exception {
        List<FakeDataServer> s = startServers(2);
        meta.setMap(TestMaps.rotated(1, PARTITIONS, 2, s));
        GtStoreClient c = client();
        c.put("ключ с пробелом ✓", "значение");
        assertEquals("значение", c.get("ключ с пробелом ✓").valueUtf8());
        byte[] key = {0, (byte) 0xff, 7};
        byte[] value = {(byte) 0x80, 0, 1};
        c.put(key, value);
        assertArrayEquals(value, c.get(key).value());
        PutResult d = c.delete(key);
        assertFalse(c.get(key).found());
        FakeDataServer head = s.get(PARTITIONER.partitionOf(key) % 2);
        PutRequest tombstone = head.puts.get(head.puts.size() - 1);
        assertTrue(tombstone.getTombstone());
        assertEquals(head.id, d.serverId());
    }

    @Test
    void refreshesMapAndRetriesOnStaleEpoch() throws Exception {
        // Goal: a server that says STALE_EPOCH makes the client fetch the newer map and retry
        // with its epoch, carrying the same request id.
        List<FakeDataServer> s = startServers(1);
        FakeDataServer server = s.get(0);
        meta.setMap(TestMaps.rotated(1, PARTITIONS, 1, s));
        GtStoreClient c = client();
        assertEquals(1, c.refreshMap().getEpoch());
        ClusterInfo info = c.clusterInfo();
        assertEquals(new ClusterInfo(1, PARTITIONS, 1, List.of(server.id)), info);
        meta.setMap(TestMaps.rotated(2, PARTITIONS, 1, s));
        server.putHandler = r -> r.getEpoch() < 2
                ? server.answer(ErrorCode.STALE_EPOCH, 2) : server.storePut(r);

        PutResult r = c.put("k", "v");

        assertEquals(2, r.epoch());
        assertEquals(2, server.puts.size());
        assertEquals(1, server.puts.get(0).getEpoch());
        assertEquals(2, server.puts.get(1).getEpoch());
        assertEquals(server.puts.get(0).getRequestId(), server.puts.get(1).getRequestId());
        assertEquals(2, c.map().getEpoch());
    }

    @Test
    void refreshesMapAndRetriesOnNotResponsible() throws Exception {
        // Goal: a server that is no longer head (NOT_RESPONSIBLE) sends the client to the map's
        // new head, for writes, and to the new tail, for reads.
        List<FakeDataServer> s = startServers(2);
        FakeDataServer old = s.get(0);
        FakeDataServer next = s.get(1);
        meta.setMap(TestMaps.sameChain(1, PARTITIONS, s, List.of(old)));
        GtStoreClient c = client();
        c.refreshMap();
        meta.setMap(TestMaps.sameChain(2, PARTITIONS, s, List.of(next)));
        old.putHandler = r -> old.answer(ErrorCode.NOT_RESPONSIBLE, 2);
        old.getHandler = r -> org.gtstore.proto.GetResponse.newBuilder()
                .setCode(ErrorCode.NOT_RESPONSIBLE).setEpoch(2).setServerId(old.id).build();

        assertEquals(next.id, c.put("k", "v").serverId());
        assertEquals(1, old.puts.size());
        assertEquals(next.id, c.get("k").serverId());
        assertEquals(0, old.gets.size(), "the map was already refreshed by the put");
    }

    @Test
    void failsOverToNewHeadWhenCachedMapNamesDeadServer() throws Exception {
        // Goal (SPEC): the client whose cached map names a dead server learns it at once
        // (connection refused), reports it, fetches the map the leader makes and retries on the
        // new head, well within the deadline.
        List<FakeDataServer> s = startServers(2);
        FakeDataServer dead = s.get(0);
        FakeDataServer survivor = s.get(1);
        meta.setMap(TestMaps.sameChain(1, PARTITIONS, s, List.of(dead, survivor)));
        meta.reportHandler = r -> {
            meta.setMap(TestMaps.sameChain(2, PARTITIONS, s, List.of(survivor)));
            return ReportUnreachableResponse.newBuilder().setCode(ErrorCode.OK)
                    .setMarkedDead(true).setMapEpoch(2).build();
        };
        GtStoreClient c = client();
        assertEquals(1, c.refreshMap().getEpoch());
        dead.stop();

        long start = System.nanoTime();
        PutResult r = c.put("key1", "value1");
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertEquals(survivor.id, r.serverId());
        assertEquals(List.of(survivor.id), r.chain());
        assertTrue(elapsedMs < 5000, "fail-over took " + elapsedMs + " ms of a 10 s deadline");
        assertEquals(1, meta.reports.size());
        assertEquals(dead.id, meta.reports.get(0).getServerId());
        assertEquals(1, meta.reports.get(0).getMapEpoch());
        assertTrue(meta.reports.get(0).getReporter().startsWith("test-client/"),
                meta.reports.get(0).getReporter());
        assertTrue(meta.reports.get(0).getDetail().contains("connection refused"),
                meta.reports.get(0).getDetail());
        assertEquals("value1", c.get("key1").valueUtf8());
        assertEquals(1, meta.reports.size(), "the new map needs no more reports");
    }

    @Test
    void timesOutOnHungServerAndRetriesOnNewHead() throws Exception {
        // Goal: a head that accepts the connection but never answers costs one attempt
        // timeout, then the client reports it and moves on.
        List<FakeDataServer> s = startServers(2);
        FakeDataServer hung = s.get(0);
        FakeDataServer survivor = s.get(1);
        hung.putHandler = r -> null;
        meta.setMap(TestMaps.sameChain(1, PARTITIONS, s, List.of(hung, survivor)));
        meta.reportHandler = r -> {
            meta.setMap(TestMaps.sameChain(2, PARTITIONS, s, List.of(survivor)));
            return ReportUnreachableResponse.newBuilder().setCode(ErrorCode.OK)
                    .setMarkedDead(true).setMapEpoch(2).build();
        };
        GtStoreClient c = client(Duration.ofSeconds(10), Duration.ofMillis(200));

        long start = System.nanoTime();
        PutResult r = c.put("k", "v");
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertEquals(survivor.id, r.serverId());
        assertTrue(elapsedMs >= 190 && elapsedMs < 5000, "took " + elapsedMs + " ms");
        assertTrue(meta.reports.get(0).getDetail().contains("no answer within 200 ms"),
                meta.reports.get(0).getDetail());
        assertEquals(hung.puts.get(0).getRequestId(), survivor.puts.get(0).getRequestId());
    }

    @Test
    void aPutPendingAtAHeadThatLeavesTheMapStillTimesOutAndRetries() throws Exception {
        // Goal: a head declared dead while alive (paused, cut off) keeps its stream open and
        // answers nothing; the map without it, arriving while a put is pending there, retires
        // its session, and that put must still fail its attempt within the request timeout and
        // go to the new head, rather than wait for an answer that never comes.
        List<FakeDataServer> s = startServers(2);
        FakeDataServer hung = s.get(0);
        FakeDataServer survivor = s.get(1);
        hung.putHandler = r -> null;
        meta.setMap(TestMaps.sameChain(1, PARTITIONS, s, List.of(hung, survivor)));
        GtStoreClient c = client(Duration.ofSeconds(10), Duration.ofMillis(1000));
        assertEquals(1, c.refreshMap().getEpoch());

        long start = System.nanoTime();
        CompletableFuture<PutResult> put = c.putAsync("k", "v", Duration.ofHours(1));
        await().atMost(Duration.ofSeconds(5)).until(() -> hung.puts.size() == 1);
        meta.setMap(TestMaps.withState(TestMaps.sameChain(2, PARTITIONS, s,
                List.of(survivor)), hung.id, ServerState.DEAD));
        assertEquals(2, c.refreshMap().getEpoch());
        PutResult r = put.get(5, TimeUnit.SECONDS);
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertEquals(survivor.id, r.serverId());
        assertTrue(elapsedMs < 3000, "took " + elapsedMs + " ms with a 1 s request timeout");
        assertEquals(hung.puts.get(0).getRequestId(), survivor.puts.get(0).getRequestId());
    }

    @Test
    void reachesServerRestartedAtSameAddressWithoutWaitingOutGrpcBackoff() throws Exception {
        // Goal: a server that was down but not declared dead (the leader's probe timed out) is
        // reached as soon as it listens again, not after gRPC's growing reconnect back-off.
        List<FakeDataServer> s = startServers(1);
        FakeDataServer server = s.get(0);
        meta.setMap(TestMaps.rotated(1, PARTITIONS, 1, s));
        meta.reportHandler = r -> ReportUnreachableResponse.newBuilder().setCode(ErrorCode.OK)
                .setMarkedDead(false).setMapEpoch(1).build();
        GtStoreClient c = client();
        c.put("k", "v1");
        server.stop();
        int fetches = meta.getMapCalls.get();

        CompletableFuture<PutResult> put = c.putAsync("k", "v2");
        await().atMost(Duration.ofSeconds(5)).until(() -> meta.getMapCalls.get() >= fetches + 4);
        FakeDataServer restarted = new FakeDataServer(server.id,
                new java.util.concurrent.ConcurrentHashMap<>(), server.port());
        servers.add(restarted);
        long start = System.nanoTime();
        assertEquals(server.id, put.get(5, TimeUnit.SECONDS).serverId());
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertTrue(elapsedMs < 1000, "took " + elapsedMs + " ms after the restart");
        assertEquals(1, meta.reports.size(), "one report per server and epoch");
        assertFalse(put.isCompletedExceptionally());
    }

    @Test
    void retriesOfOnePutCarryTheSameRequestId() throws Exception {
        // Goal: the head can drop a retried duplicate only if every attempt carries the same
        // (client id, request id); a new put gets a new request id.
        List<FakeDataServer> s = startServers(1);
        FakeDataServer server = s.get(0);
        meta.setMap(TestMaps.rotated(1, PARTITIONS, 1, s));
        AtomicInteger calls = new AtomicInteger();
        server.putHandler = r -> calls.incrementAndGet() <= 2
                ? server.answer(ErrorCode.TIMEOUT, 1) : server.storePut(r);
        GtStoreClient c = client();

        c.put("k", "v1");
        c.put("k", "v2");

        assertEquals(4, server.puts.size());
        long first = server.puts.get(0).getRequestId();
        for (int i = 0; i < 3; i++) {
            assertEquals(first, server.puts.get(i).getRequestId());
            assertTrue(server.puts.get(i).getClientId().startsWith("test-client/"),
                    server.puts.get(i).getClientId());
        }
        assertNotEquals(first, server.puts.get(3).getRequestId());
    }

    @Test
    void failsWithClearMessageWhenDeadlinePasses() throws Exception {
        // Goal: a server that keeps answering UNAVAILABLE makes the put fail at its deadline
        // with a message that names the key, the server and its last answer.
        List<FakeDataServer> s = startServers(1);
        FakeDataServer server = s.get(0);
        meta.setMap(TestMaps.rotated(1, PARTITIONS, 1, s));
        server.putHandler = r -> server.answer(ErrorCode.UNAVAILABLE, 1);
        GtStoreClient c = client(Duration.ofMillis(300), Duration.ofMillis(100));

        long start = System.nanoTime();
        OperationFailedException e = assertThrows(OperationFailedException.class,
                () -> c.put("key1", "v"));
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        String m = e.getMessage();
        assertTrue(m.startsWith("put of key 'key1' (partition " + partitionOf("key1")
                + ") failed after "), m);
        assertTrue(m.contains("deadline 300 ms"), m);
        assertTrue(m.contains("server1 at " + server.address() + " answered UNAVAILABLE"), m);
        assertTrue(m.endsWith("(outcome unknown: the write may have been applied)"), m);
        assertEquals(ErrorCode.UNAVAILABLE, e.code().orElseThrow());
        assertTrue(server.puts.size() >= 2, "it retried");
        System.out.println("TOOK " + elapsedMs);
        assertTrue(elapsedMs < 3000, "took " + elapsedMs + " ms for a 300 ms deadline");
    }

    @Test
    void reportsPartitionWithoutLiveReplica() throws Exception {
        // Goal: a partition whose every replica is dead is waited for until the deadline, then
        // named in the error with its last replicas.
        List<FakeDataServer> s = startServers(1);
        int p = partitionOf("k");
        PartitionMap m = TestMaps.rotated(1, PARTITIONS, 1, s);
        meta.setMap(m.toBuilder().setChains(p, Chain.newBuilder().setPartition(p).setEpoch(1)
                .addLastReplicas("server3")).build());
        GtStoreClient c = client(Duration.ofMillis(300), Duration.ofMillis(100));

        OperationFailedException e = assertThrows(OperationFailedException.class,
                () -> c.get("k"));

        assertTrue(e.getMessage().contains("partition " + p + " has no live replica (last: "
                + "server3)"), e.getMessage());
        assertTrue(meta.getMapCalls.get() >= 2, "it refreshed the map while waiting");
        assertEquals(0, s.get(0).gets.size());
    }

    @Test
    void rejectsInvalidKeysAndValuesWithoutSendingAnything() throws Exception {
        List<FakeDataServer> s = startServers(1);
        meta.setMap(TestMaps.rotated(1, PARTITIONS, 1, s));
        GtStoreClient c = client();

        assertEquals("key is empty: a key needs at least one byte", assertThrows(
                InvalidRequestException.class, () -> c.put("", "v")).getMessage());
        assertThrows(InvalidRequestException.class, () -> c.getAsync(new byte[0]));
        assertEquals("key is 1025 bytes, more than the limit of 1024 bytes", assertThrows(
                InvalidRequestException.class, () -> c.put("x".repeat(1025), "v"))
                .getMessage());
        assertTrue(assertThrows(InvalidRequestException.class,
                () -> c.putAsync("k".getBytes(StandardCharsets.UTF_8), new byte[1048577]))
                .getMessage().startsWith("value is 1048577 bytes, more than the limit of "
                        + "1048576 bytes"));
        assertThrows(InvalidRequestException.class, () -> c.deleteAsync("é".repeat(513)));
        assertThrows(NullPointerException.class, () -> c.put((String) null, "v"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(InvalidRequestException.class,
                () -> c.get("")).code().orElseThrow());
        assertEquals(0, s.get(0).puts.size() + s.get(0).gets.size());

        // The limits themselves are allowed.
        c.put("x".repeat(1024).getBytes(StandardCharsets.UTF_8), new byte[1048576]);
        assertEquals(1048576, c.get("x".repeat(1024)).value().length);
    }

    @Test
    void fatalAnswerFailsAtOnce() throws Exception {
        List<FakeDataServer> s = startServers(1);
        FakeDataServer server = s.get(0);
        meta.setMap(TestMaps.rotated(1, PARTITIONS, 1, s));
        GtStoreClient c = client();

        server.putHandler = r -> server.answer(ErrorCode.INTERNAL, 1);
        GtStoreException e = assertThrows(GtStoreException.class, () -> c.put("k", "v"));
        assertEquals(ErrorCode.INTERNAL, e.code().orElseThrow());
        assertTrue(e.getMessage().contains("answered INTERNAL"), e.getMessage());
        assertEquals(1, server.puts.size());

        server.putHandler = r -> server.answer(ErrorCode.INVALID_ARGUMENT, 1);
        assertThrows(InvalidRequestException.class, () -> c.put("k", "v"));
        assertEquals(2, server.puts.size());
    }

    @Test
    void failsFastWhenNoMetadataMemberIsReachable() throws Exception {
        String a = TestMaps.deadAddress();
        String b = TestMaps.deadAddress();
        GtStoreClient c = GtStoreClient.builder().metadataAddresses(List.of(a, b)).build();
        clients.add(c);

        long start = System.nanoTime();
        MetadataUnavailableException e = assertThrows(MetadataUnavailableException.class,
                () -> c.put("k", "v"));
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertTrue(e.getMessage().startsWith("no metadata server reachable at " + a + "," + b),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("is the cluster running? (gtctl cluster status)"),
                e.getMessage());
        assertTrue(elapsedMs < 5000, "took " + elapsedMs + " ms");
    }

    @Test
    void refreshIsSingleFlightUnderConcurrentFailures() throws Exception {
        // Goal: 100 requests failing with STALE_EPOCH at once cause one GetMap, not 100.
        List<FakeDataServer> s = startServers(2);
        meta.setMap(TestMaps.rotated(1, PARTITIONS, 2, s));
        GtStoreClient c = client();
        c.refreshMap();
        meta.setMap(TestMaps.rotated(2, PARTITIONS, 2, s));
        for (FakeDataServer f : s) {
            f.putHandler = r -> r.getEpoch() < 2 ? f.answer(ErrorCode.STALE_EPOCH, 2)
                    : f.storePut(r);
        }
        int before = meta.getMapCalls.get();

        List<CompletableFuture<PutResult>> futures = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            futures.add(c.putAsync("key" + i, "v" + i));
        }
        CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
                .get(10, TimeUnit.SECONDS);

        assertEquals(1, meta.getMapCalls.get() - before);
        for (CompletableFuture<PutResult> f : futures) {
            assertEquals(2, f.join().epoch());
        }
    }

    @Test
    void closedClientFailsNewOperations() throws Exception {
        List<FakeDataServer> s = startServers(1);
        meta.setMap(TestMaps.rotated(1, PARTITIONS, 1, s));
        GtStoreClient c = client();
        c.put("k", "v");
        c.close();
        assertThrows(GtStoreException.class, () -> c.put("k", "v"));
    }

    @Test
    void bytesKeyIsCopiedBeforeSending() throws Exception {
        List<FakeDataServer> s = startServers(1);
        meta.setMap(TestMaps.rotated(1, PARTITIONS, 1, s));
        GtStoreClient c = client();
        byte[] key = "abc".getBytes(StandardCharsets.UTF_8);
        CompletableFuture<PutResult> f = c.putAsync(key, key);
        key[0] = 'z';
        f.get(5, TimeUnit.SECONDS);
        assertEquals(ByteString.copyFromUtf8("abc"), s.get(0).puts.get(0).getKey());
    }

    @Test
    void runsOnGrpcSharedEventLoopsWhenAskedTo() throws Exception {
        // Goal: eventLoopThreads(0) falls back to gRPC's shared loops; negative is refused.
        List<FakeDataServer> s = startServers(1);
        meta.setMap(TestMaps.rotated(1, PARTITIONS, 1, s));
        GtStoreClient c = GtStoreClient.builder().metadataAddresses(List.of(meta.address()))
                .eventLoopThreads(0).build();
        clients.add(c);
        c.put("k", "v");
        assertEquals("v", c.get("k").valueUtf8());
        assertEquals("eventLoopThreads < 0: -1", assertThrows(IllegalArgumentException.class,
                () -> GtStoreClient.builder().eventLoopThreads(-1)).getMessage());
    }

    @Test
    void refusesAClientIdTheServersWouldRefuse() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GtStoreClient.builder().metadataAddresses(List.of("127.0.0.1:1"))
                        .clientId("c".repeat(300)).build());
        assertEquals("clientId is 300 bytes, more than 239", e.getMessage());
    }
}
