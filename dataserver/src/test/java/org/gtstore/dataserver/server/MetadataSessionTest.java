package org.gtstore.dataserver.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.RegisterRequest;
import org.gtstore.proto.TransportSecurity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metadata session alone against {@link FakeMetadataService} (a real port): registration
 * under a busy leader. A Register is answered only once its Raft command applied, and every
 * Register the leader gets from a server declared dead becomes a new incarnation and a new map
 * epoch, so the session keeps at most one in flight and says which incarnation it holds.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MetadataSessionTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ScheduledExecutorService exec = Executors.newSingleThreadScheduledExecutor();
    private FakeMetadataService meta;
    private MetadataSession session;

    @TempDir
    Path dataDir;
    private final List<String> refusals = new CopyOnWriteArrayList<>();

    private MetadataSession start(long rpcTimeoutMs, long commandTimeoutMs) {
        return start(rpcTimeoutMs, commandTimeoutMs, null);
    }

    private MetadataSession start(long rpcTimeoutMs, long commandTimeoutMs,
            ClusterIdFile cluster) {
        session = MetadataSession.create("s1", "disk-1", List.of(meta.address()), rpcTimeoutMs,
                commandTimeoutMs, 50, exec, TransportSecurity.plaintext());
        session.maps().deliverTo(map -> { }, () -> 0L);
        if (cluster != null) {
            session.clusterIdentity(cluster);
        }
        session.start("127.0.0.1:1");
        return session;
    }

    @Test
    void aFreshDirectoryRecordsTheClusterItJoinedAndNamesItWhenItRegistersAgain()
            throws Exception {
        meta = new FakeMetadataService(5000, 50);
        start(1000, 10_000, new ClusterIdFile(dataDir, refusals::add));
        await().atMost(WAIT).until(() -> session.incarnation() == 1);
        assertEquals("", meta.registerRequests.get(0).getClusterId());
        assertEquals(FakeMetadataService.CLUSTER_ID,
                Files.readString(dataDir.resolve(ClusterIdFile.FILE_NAME)).trim());
        session.close();
        start(1000, 10_000, new ClusterIdFile(dataDir, refusals::add));
        await().atMost(WAIT).until(() -> meta.registerRequests.size() == 2);
        assertEquals(FakeMetadataService.CLUSTER_ID,
                List.copyOf(meta.registerRequests).get(1).getClusterId());
        assertEquals(List.of(), refusals);
    }

    @Test
    void aDirectoryTheMetadataSaysBelongsToAnotherClusterStopsTheServer() throws Exception {
        Files.writeString(dataDir.resolve(ClusterIdFile.FILE_NAME), "other-cluster\n");
        meta = new FakeMetadataService(5000, 50);
        meta.registerRefusals.add(ErrorCode.WRONG_CLUSTER);
        start(1000, 10_000, new ClusterIdFile(dataDir, refusals::add));
        await().atMost(WAIT).until(() -> refusals.size() == 1);
        assertEquals("other-cluster", meta.registerRequests.get(0).getClusterId());
        // No retry follows: the server is to stop.
        await().during(Duration.ofMillis(300)).atMost(WAIT)
                .until(() -> meta.registerRequests.size() == 1);
        assertEquals(0, session.incarnation());
    }

    @AfterEach
    void stop() throws Exception {
        if (session != null) {
            session.close();
        }
        exec.shutdownNow();
        if (meta != null) {
            meta.close();
        }
    }

    @Test
    void everyRegisterOfAProcessCarriesItsProcessIdAndARestartAnother() throws Exception {
        // Goal: the leader can tell a retry from a restart. A Register answered TIMEOUT may
        // still apply; the retry holds incarnation 0 like a new process would, so only the
        // process id says it is the same process and must get that registration.
        meta = new FakeMetadataService(5000, 50);
        meta.registerRefusals.add(ErrorCode.TIMEOUT);
        start(1000, 10_000);
        await().atMost(WAIT).until(() -> session.incarnation() == 1);
        List<RegisterRequest> sent = List.copyOf(meta.registerRequests);
        assertEquals(2, sent.size(), "the TIMEOUT, then the retry: " + sent);
        assertFalse(session.processId().isEmpty());
        for (RegisterRequest r : sent) {
            assertEquals(session.processId(), r.getProcessId());
            assertEquals(0, r.getIncarnation(), "it never learned an incarnation");
        }
        String first = session.processId();
        session.close();
        start(1000, 10_000);       // a restart: a new process
        await().atMost(WAIT).until(() -> meta.registerRequests.size() == 3);
        assertNotEquals(first, meta.registerRequests.get(2).getProcessId());
        assertEquals(session.processId(), meta.registerRequests.get(2).getProcessId());
    }

    @Test
    void heartbeatsRefusedWhileARegisterIsInFlightStartNoOtherRegister() throws Exception {
        // Goal: the re-registration storm. A busy leader answers a backlog of heartbeats with
        // UNKNOWN_SERVER at once while the first Register waits for its command; a refusal must
        // not send another Register while one is in flight.
        meta = new FakeMetadataService(5000, 50);
        start(1000, 10_000);
        await().atMost(WAIT).until(() -> session.incarnation() == 1);
        meta.heartbeatAnswer = null;
        await().atMost(WAIT).until(() -> meta.heldHeartbeats() >= 4);
        meta.holdRegistrations = true;
        meta.answerHeldHeartbeats(ErrorCode.UNKNOWN_SERVER);
        await().atMost(WAIT).until(() -> meta.heldRegistrations() >= 1);
        assertFalse(session.lease().leaseValidAt(System.nanoTime()), "declared dead: fenced at once");

        meta.heartbeatAnswer = ErrorCode.OK;
        meta.answerHeldRegistrations();
        await().atMost(WAIT).until(() -> session.incarnation() >= 2
                && meta.lastHeartbeatIncarnation == session.incarnation());
        long after = meta.heartbeats.get();
        await().atMost(WAIT).until(() -> meta.heartbeats.get() >= after + 3);
        // By now every refusal of the backlog (sent before the Register) has been handled.
        List<Long> held = meta.registerRequests.stream().map(RegisterRequest::getIncarnation)
                .toList();
        assertEquals(2, meta.registrations.get(), "incarnations held by the Registers: " + held);
        assertEquals(List.of(0L, 1L), held, "each Register says which incarnation it held");
        assertEquals(2, session.incarnation());
        await().atMost(WAIT).until(() -> session.lease().leaseValidAt(System.nanoTime()));
    }

    @Test
    void registerWaitsForTheLeadersCommandInsteadOfTheRpcTimeout() throws Exception {
        // Goal: a Register is answered once RegisterServer applied, later than an ordinary
        // metadata call on a busy leader; re-sending it at the RPC timeout made a second
        // incarnation and epoch while the first was still applying.
        meta = new FakeMetadataService(5000, 50);
        meta.holdRegistrations = true;
        start(200, 10_000);
        await().atMost(WAIT).until(() -> meta.heldRegistrations() == 1);
        await("no second Register while the first waits for its command")
                .during(Duration.ofMillis(800)).atMost(WAIT)
                .until(() -> meta.registrations.get() == 1);
        meta.answerHeldRegistrations();
        await().atMost(WAIT).until(() -> session.incarnation() == 1
                && session.lease().leaseValidAt(System.nanoTime()));
        assertEquals(1, meta.registrations.get());
    }
}
