package org.gtstore.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetMapResponse;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ReportUnreachableResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client's retries against fake metadata members and data servers on loopback ports: a
 * metadata group that is slow to answer, the data servers' per-chain epoch answers, and the
 * fail-over from a killed server through ReportUnreachable.
 */
@Timeout(30)
class ClientRetryTest {
    private static final int PARTITIONS = 16;

    private final List<FakeMetadataServer> members = new ArrayList<>();
    private final List<FakeDataServer> servers = new ArrayList<>();
    private final List<GtStoreClient> clients = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        clients.forEach(GtStoreClient::close);
        for (FakeDataServer s : servers) {
            s.close();
        }
        for (FakeMetadataServer m : members) {
            m.close();
        }
    }

    private FakeMetadataServer member(String id) throws Exception {
        FakeMetadataServer m = new FakeMetadataServer(id);
        members.add(m);
        return m;
    }

    private List<FakeDataServer> startServers(int n) throws Exception {
        List<FakeDataServer> list = TestMaps.servers(n);
        servers.addAll(list);
        return list;
    }

    private GtStoreClient client(List<String> metadata, Duration deadline,
            Duration metadataCallTimeout) {
        GtStoreClient c = GtStoreClient.builder()
                .metadataAddresses(metadata)
                .clientId("test-client")
                .requestTimeout(Duration.ofMillis(1000))
                .deadline(deadline)
                .metadataCallTimeout(metadataCallTimeout)
                .build();
        clients.add(c);
        return c;
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    // ---- A slow metadata group before the first map ----

    @Test
    void retriesMetadataThatTimesOutBeforeTheFirstMap() throws Exception {
        // Goal (reported under heavy load): with no map yet, a metadata member that does not
        // answer in time is retried with back-off until the operation's deadline; only "every
        // member refused the connection" fails at once. Here one member refuses and the other
        // hangs for its first two GetMaps, then answers.
        List<FakeDataServer> s = startServers(1);
        FakeMetadataServer slow = member("meta2");
        slow.setMap(TestMaps.rotated(1, PARTITIONS, 1, s));
        AtomicInteger asked = new AtomicInteger();
        slow.getMapHandler = r -> asked.incrementAndGet() <= 2 ? null : slow.mapAnswer(r);
        GtStoreClient c = client(List.of(TestMaps.deadAddress(), slow.address()),
                Duration.ofSeconds(10), Duration.ofMillis(200));

        PutResult r = c.put("k", "v");

        assertEquals("server1", r.serverId());
        assertTrue(asked.get() >= 3, "asked " + asked.get() + " times");
    }

    @Test
    void retriesMetadataThatAnswersUnavailableBeforeTheFirstMap() throws Exception {
        // Goal: a group with no leader yet (members answer UNAVAILABLE) is waited for too.
        List<FakeDataServer> s = startServers(1);
        FakeMetadataServer m = member("meta1");
        m.setMap(TestMaps.rotated(1, PARTITIONS, 1, s));
        AtomicInteger asked = new AtomicInteger();
        m.getMapHandler = r -> asked.incrementAndGet() <= 3
                ? GetMapResponse.newBuilder().setCode(ErrorCode.UNAVAILABLE).build()
                : m.mapAnswer(r);
        GtStoreClient c = client(List.of(m.address()), Duration.ofSeconds(10),
                Duration.ofMillis(200));

        assertEquals("server1", c.put("k", "v").serverId());
        assertEquals(4, asked.get());
    }

    @Test
    void metadataThatNeverAnswersFailsAtTheDeadlineWithMetadataUnavailable() throws Exception {
        // Goal: a hung metadata group is retried until the deadline (not given up on after one
        // round), then named in a one-line MetadataUnavailableException.
        FakeMetadataServer hung = member("meta1");
        hung.getMapHandler = r -> null;
        GtStoreClient c = client(List.of(hung.address()), Duration.ofMillis(1500),
                Duration.ofMillis(200));

        long start = System.nanoTime();
        MetadataUnavailableException e = assertThrows(MetadataUnavailableException.class,
                () -> c.get("k"));
        long elapsedMs = millisSince(start);

        assertTrue(elapsedMs >= 1000 && elapsedMs < 5000, "took " + elapsedMs + " ms");
        assertTrue(hung.getMapCalls.get() >= 3, "asked " + hung.getMapCalls.get() + " times");
        String m = e.getMessage();
        assertTrue(m.startsWith("get of key 'k' failed: no partition map within 1500 ms"), m);
        assertTrue(m.contains(hung.address() + ": no answer within 200 ms"), m);
        assertTrue(!m.contains("\n"), m);
    }

    @Test
    void everyMemberRefusingFailsAtOnceAndSaysSo() throws Exception {
        // Goal: nothing listening at any member address is the one metadata failure that
        // fails at once: the cluster is not running.
        GtStoreClient c = client(List.of(TestMaps.deadAddress(), TestMaps.deadAddress()),
                Duration.ofSeconds(10), Duration.ofMillis(200));

        long start = System.nanoTime();
        MetadataUnavailableException e = assertThrows(MetadataUnavailableException.class,
                () -> c.put("k", "v"));

        assertTrue(millisSince(start) < 3000, "took " + millisSince(start) + " ms");
        assertTrue(e.refused(), e.getMessage());
    }

    // ---- Per-chain epochs ----

    @Test
    void futureEpochRetriesTheSameRequestWithoutFetchingMaps() throws Exception {
        // Goal: a server behind the client's map answers FUTURE_EPOCH while it fetches the map;
        // the client pauses briefly and sends the same request again. It does not ask the
        // metadata for a map newer than the newest (which no member has).
        List<FakeDataServer> s = startServers(1);
        FakeDataServer server = s.get(0);
        FakeMetadataServer m = member("meta1");
        m.setMap(TestMaps.rotated(5, PARTITIONS, 1, s));
        AtomicInteger answered = new AtomicInteger();
        server.putHandler = r -> answered.incrementAndGet() <= 4
                ? server.answer(ErrorCode.FUTURE_EPOCH, 4) : server.storePut(r);
        GtStoreClient c = client(List.of(m.address()), Duration.ofSeconds(10),
                Duration.ofMillis(500));
        c.refreshMap();
        int fetches = m.getMapCalls.get();

        long start = System.nanoTime();
        PutResult r = c.put("k", "v");

        assertEquals(5, r.epoch());
        assertEquals(5, server.puts.size());
        assertEquals(1, server.puts.stream().map(p -> p.getRequestId()).distinct().count());
        assertEquals(fetches, m.getMapCalls.get(), "no map fetched for FUTURE_EPOCH");
        assertTrue(millisSince(start) < 2000, "took " + millisSince(start) + " ms");
    }

    @Test
    void retriesStateTheirAgeAndRetryTooOldFailsThePutAtOnce() throws Exception {
        // Goal: the first attempt says age 0, each retry the time since the first attempt; a
        // RETRY_TOO_OLD answer (the head cannot tell whether the write was applied) ends the
        // put with that code, without another attempt.
        List<FakeDataServer> s = startServers(1);
        FakeDataServer server = s.get(0);
        FakeMetadataServer m = member("meta1");
        m.setMap(TestMaps.rotated(5, PARTITIONS, 1, s));
        AtomicInteger answered = new AtomicInteger();
        server.putHandler = r -> answered.incrementAndGet() <= 2
                ? server.answer(ErrorCode.TIMEOUT, 5) : server.answer(ErrorCode.RETRY_TOO_OLD, 5);
        GtStoreClient c = client(List.of(m.address()), Duration.ofSeconds(10),
                Duration.ofMillis(500));
        c.refreshMap();

        GtStoreException e = assertThrows(GtStoreException.class, () -> c.put("k", "v"));

        assertEquals(java.util.Optional.of(ErrorCode.RETRY_TOO_OLD), e.code(), e.getMessage());
        assertEquals(3, server.puts.size(), "no attempt after RETRY_TOO_OLD");
        assertEquals(0, server.puts.get(0).getFirstAttemptAgeMs());
        assertTrue(server.puts.get(1).getFirstAttemptAgeMs() > 0);
        assertTrue(server.puts.get(2).getFirstAttemptAgeMs()
                >= server.puts.get(1).getFirstAttemptAgeMs());
    }

    @Test
    void staleEpochFetchesAtLeastTheServersEpochPastALaggingMember() throws Exception {
        // Goal: STALE_EPOCH names the server's epoch; the client fetches a map at least that
        // new (a follower still at an older epoch is passed over) and retries once, with it.
        List<FakeDataServer> s = startServers(1);
        FakeDataServer server = s.get(0);
        FakeMetadataServer leader = member("meta1");
        FakeMetadataServer follower = member("meta2");
        leader.setMap(TestMaps.rotated(1, PARTITIONS, 1, s));
        follower.setMap(TestMaps.rotated(1, PARTITIONS, 1, s));
        follower.leaderHint = leader.address();
        GtStoreClient c = client(List.of(follower.address(), leader.address()),
                Duration.ofSeconds(10), Duration.ofMillis(500));
        c.refreshMap();
        follower.setMap(TestMaps.rotated(2, PARTITIONS, 1, s));
        leader.setMap(TestMaps.rotated(3, PARTITIONS, 1, s));
        server.putHandler = r -> r.getEpoch() < 3
                ? server.answer(ErrorCode.STALE_EPOCH, 3) : server.storePut(r);

        PutResult r = c.put("k", "v");

        assertEquals(3, r.epoch());
        assertEquals(2, server.puts.size(), "one stale attempt, one retry with epoch 3");
        assertEquals(3, server.puts.get(1).getEpoch());
    }

    // ---- Fail-over from a killed server ----

    @Test
    void refetchesUntilTheMapReachesTheReportedEpochBeforeRetrying() throws Exception {
        // Goal: the leader marks the unreachable server dead and answers the report with the
        // new epoch, but the map fetched next is still the older one (the member asked has not
        // applied it yet). The client fetches again until it has that epoch; it does not go
        // back to the unreachable server in between.
        List<FakeDataServer> s = startServers(2);
        FakeDataServer survivor = s.get(0);
        FakeDataServer gone = s.get(1);
        ClosingListener unreachable = new ClosingListener();
        FakeMetadataServer m = member("meta1");
        PartitionMap before = TestMaps.withAddress(TestMaps.sameChain(1, PARTITIONS, s,
                List.of(survivor, gone)), gone.id, unreachable.address());
        PartitionMap after = TestMaps.sameChain(2, PARTITIONS, s, List.of(survivor));
        m.setMap(before);
        AtomicInteger lagging = new AtomicInteger();
        m.reportHandler = r -> {
            lagging.set(2);   // the next two GetMaps still see epoch 1
            m.map.set(after);
            return ReportUnreachableResponse.newBuilder().setCode(ErrorCode.OK)
                    .setMarkedDead(true).setMapEpoch(2).build();
        };
        m.getMapHandler = r -> lagging.getAndDecrement() > 0
                ? GetMapResponse.newBuilder().setCode(ErrorCode.OK).setMap(before).build()
                : m.mapAnswer(r);
        GtStoreClient c = client(List.of(m.address()), Duration.ofSeconds(10),
                Duration.ofMillis(500));
        assertEquals(1, c.refreshMap().getEpoch());

        long start = System.nanoTime();
        GetResult g;
        try (unreachable) {
            g = c.get("k");
        }

        assertEquals(survivor.id, g.serverId());
        assertEquals(2, g.epoch());
        assertEquals(1, m.reports.size());
        // One attempt, plus the reconnect that resetting gRPC's connect back-off starts at once.
        assertTrue(unreachable.connections.get() <= 2, unreachable.connections.get()
                + " connections: the unreachable server was tried again");
        assertTrue(millisSince(start) < 2000, "took " + millisSince(start) + " ms");
    }

    @Test
    void serverNotMarkedDeadIsRetriedWithOneMapPollPerBackOff() throws Exception {
        // Goal: when the leader's probe proves nothing (it timed out: the server may be alive
        // behind a partition) the report answers "not dead" at the same epoch. The client backs
        // off, asks the leader alone whether the map moved, and retries; it does not walk
        // every member for a newer map that nobody has. Here the map moves after a few polls
        // (the leader's failure timeout).
        List<FakeDataServer> s = startServers(2);
        FakeDataServer survivor = s.get(0);
        FakeDataServer gone = s.get(1);
        ClosingListener unreachable = new ClosingListener();
        FakeMetadataServer leader = member("meta1");
        FakeMetadataServer f1 = member("meta2");
        FakeMetadataServer f2 = member("meta3");
        PartitionMap before = TestMaps.withAddress(TestMaps.sameChain(1, PARTITIONS, s,
                List.of(gone, survivor)), gone.id, unreachable.address());
        PartitionMap after = TestMaps.sameChain(2, PARTITIONS, s, List.of(survivor));
        for (FakeMetadataServer m : members) {
            m.setMap(before);
        }
        f1.leaderHint = leader.address();
        f2.leaderHint = leader.address();
        leader.reportHandler = r -> ReportUnreachableResponse.newBuilder()
                .setCode(ErrorCode.OK).setMarkedDead(false).setMapEpoch(1).build();
        leader.getMapHandler = r -> {
            if (leader.getMapCalls.get() >= 5) {
                leader.map.set(after);
            }
            return leader.mapAnswer(r);
        };
        GtStoreClient c = client(List.of(leader.address(), f1.address(), f2.address()),
                Duration.ofSeconds(10), Duration.ofMillis(500));
        assertEquals(1, c.refreshMap().getEpoch());
        int followerCalls = f1.getMapCalls.get() + f2.getMapCalls.get();

        PutResult r;
        try (unreachable) {
            r = c.put("k", "v");
        }

        assertEquals(survivor.id, r.serverId());
        assertEquals(1, leader.reports.size(), "one report per server and epoch");
        assertEquals(followerCalls, f1.getMapCalls.get() + f2.getMapCalls.get(),
                "only the leader was polled");
        assertTrue(unreachable.connections.get() >= 2, "the server was retried");
    }

    @Test
    void attemptCutShortByTheDeadlineReportsTheFailureBeforeIt() throws Exception {
        // Goal: an attempt whose timeout the operation's deadline cut short did not show the
        // server is unreachable; the error names the last real failure (here the server's
        // UNAVAILABLE), not "no answer within 0 ms".
        List<FakeDataServer> s = startServers(1);
        FakeDataServer server = s.get(0);
        FakeMetadataServer m = member("meta1");
        m.setMap(TestMaps.rotated(1, PARTITIONS, 1, s));
        AtomicInteger answered = new AtomicInteger();
        server.putHandler = r -> answered.incrementAndGet() == 1
                ? server.answer(ErrorCode.UNAVAILABLE, 1) : null;
        GtStoreClient c = client(List.of(m.address()), Duration.ofMillis(400),
                Duration.ofMillis(500));
        c.refreshMap();

        OperationFailedException e = assertThrows(OperationFailedException.class,
                () -> c.put("k", "v"));

        assertTrue(e.getMessage().contains("failed after 2 attempt(s)"), e.getMessage());
        assertTrue(e.getMessage().contains("answered UNAVAILABLE"), e.getMessage());
        assertEquals(ErrorCode.UNAVAILABLE, e.code().orElseThrow());
    }
}
