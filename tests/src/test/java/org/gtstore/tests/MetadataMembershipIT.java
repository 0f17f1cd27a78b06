package org.gtstore.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.gtstore.gtctl.cluster.ClusterFile;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;
import org.gtstore.tests.history.RegisterChecker;
import org.gtstore.tests.support.CliResult;
import org.gtstore.tests.support.ClusterExtension;
import org.gtstore.tests.support.ClusterProbe;
import org.gtstore.tests.support.RecordedWorkload;
import org.gtstore.tests.support.TestCluster;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Replacing every metadata member of a running cluster, as a person types it: {@code gtctl
 * cluster meta replace meta1}, then meta2, then meta3 (one of them the leader), while four
 * clients that only ever knew meta1..meta3 read and write. No operation fails, the history is
 * linearizable, the map survives, and the data servers and clients follow the new members: at
 * the end only meta4..meta6 run, every data server is still alive under its first
 * incarnation, and a data server restarted afterwards registers with them. Bad operator input
 * gets one line and changes nothing.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetadataMembershipIT {
    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension(
            () -> TestCluster.startWithPartitions(4, 2, 64));

    private static final Duration WAIT = Duration.ofMinutes(2);

    @Test
    @Order(1)
    void badOperatorInputGetsOneLineAndChangesNothing() {
        TestCluster c = CLUSTER.cluster();
        c.gtctl("cluster", "meta", "remove", "meta9").assertOneErrorLine("'meta9' is not a member");
        c.gtctl("cluster", "meta", "remove", "meta2").assertOneErrorLine("fewest");
        c.gtctl("cluster", "meta", "add", "--id", "meta2").assertOneErrorLine("already exists");
        c.gtctl("cluster", "meta", "replace", "server1")
                .assertOneErrorLine("not a metadata member");
        c.gtctl("cluster", "meta", "add", "--meta", c.metadataAddresses().get(0), "--id",
                "meta7").assertOneErrorLine("--raft-address");
        assertEquals(List.of("meta1", "meta2", "meta3"), metadataIds(c));
    }

    @Test
    @Order(2)
    void replaceEveryMemberUnderWriters() throws Exception {
        TestCluster c = CLUSTER.cluster();
        PartitionMap before = ClusterProbe.map(c);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            keys.add("meta-replace-" + i);
        }
        try (RecordedWorkload w = RecordedWorkload.start(() -> c.client(Duration.ofSeconds(30)),
                keys, 4, 13)) {
            awaitProgress(w);
            for (String old : List.of("meta1", "meta2", "meta3")) {
                long startNs = System.nanoTime();
                CliResult r = c.gtctl("cluster", "meta", "replace", old);
                long endNs = System.nanoTime();
                assertEquals(0, r.exitCode(), r.toString());
                assertEquals(2, r.out().size(), r.toString());
                assertTrue(r.out().get(1).startsWith(old + " left"), r.toString());
                System.out.printf("[meta] %s; longest write gap %s%n", String.join("; ",
                        r.out()), w.longestWriteGapSpan(startNs, endNs));
                awaitProgress(w);
            }
            w.close();
            System.out.printf("[meta] %d ops ok, %d failed %s%n", w.succeeded(), w.failed(),
                    w.sampleFailures());
            assertEquals(0, w.failed(), "failed operations: " + w.sampleFailures());
            Optional<RegisterChecker.Violation> violation =
                    RegisterChecker.check(w.history().ops());
            assertFalse(violation.isPresent(), () -> violation.get().toString());
        }
        assertEquals(List.of("meta4", "meta5", "meta6"), metadataIds(c));
        PartitionMap after = ClusterProbe.map(c);
        assertEquals(before.getChainsList(), after.getChainsList(), "the map survived");
        for (ServerInfo s : after.getServersList()) {
            assertEquals(ServerState.ALIVE, s.getState(), s.toString());
            assertEquals(before.getServersList().stream().filter(b -> b.getId()
                    .equals(s.getId())).findFirst().orElseThrow().getIncarnation(),
                    s.getIncarnation(), s.getId() + " kept its lease throughout");
        }
        CliResult status = c.gtctl("cluster", "status");
        assertTrue(status.out().stream().noneMatch(l -> l.startsWith("meta1 ")),
                status.toString());
        c.launcher().kill("server1");
        c.launcher().restart("server1", WAIT);
    }

    private static List<String> metadataIds(TestCluster c) {
        return c.launcher().cluster().metadata().stream().map(ClusterFile.MetadataMember::id)
                .sorted().toList();
    }

    private static void awaitProgress(RecordedWorkload w) {
        long target = w.succeeded() + 200;
        await("progress").atMost(WAIT)
                .pollInterval(Duration.ofMillis(50)).until(() -> w.succeeded() >= target);
    }
}
