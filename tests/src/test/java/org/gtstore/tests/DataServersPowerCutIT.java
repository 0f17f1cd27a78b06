package org.gtstore.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.Chain;
import org.gtstore.proto.PartitionMap;
import org.gtstore.tests.support.ClusterExtension;
import org.gtstore.tests.support.ClusterProbe;
import org.gtstore.tests.support.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A power cut of the data servers' machine while the metadata stays up (it runs elsewhere):
 * the metadata sees every data server go silent and declares each dead in turn, so every
 * partition becomes unavailable, remembering all its replicas as last replicas. Each server's
 * newest log loses a different tail. When they come back, each reports what it holds of every
 * unavailable partition, and the one holding most serves it again: the order in which they
 * were declared dead decides nothing. Then, as in {@link PowerCutIT}, writes acknowledged after
 * the restart are kept by every replica.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class DataServersPowerCutIT {
    private static final Duration RECOVERY = Duration.ofSeconds(90);

    /** Long enough that no partition is served before every server is back and reported. */
    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension(3, 3,
            List.of("--revive-wait-ms", "60000"));

    @Test
    void partitionsWhoseReplicasWereAllDeclaredDeadComeBackFromTheReplicaHoldingMost()
            throws Exception {
        TestCluster c = CLUSTER.cluster();
        PowerCutIT.writeAll(c, "before-");
        List<String> servers = c.launcher().serverIds();
        PowerCutIT.freezeThenKill(c, servers);
        await("every partition unavailable").atMost(RECOVERY).pollInterval(Duration.ofMillis(200))
                .until(() -> ClusterProbe.map(c).getChainsList().stream()
                        .allMatch(ch -> ch.getReplicasCount() == 0));
        assertTrue(ClusterProbe.map(c).getChainsList().stream()
                .allMatch(ch -> ch.getLastReplicasCount() == servers.size()),
                "every member is a last replica: " + ClusterProbe.map(c).getChains(0));
        PowerCutIT.cutEveryServersLog(c);
        for (String id : servers) {
            c.launcher().restart(id);
        }
        await("every partition served again with K replicas").atMost(RECOVERY)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> wholeAgain(ClusterProbe.map(c), servers.size()));
        String metadataLogs = metadataLogs(c);
        assertTrue(metadataLogs.contains("served again by the last replica holding most"),
                "revived by the tips of all last replicas");
        assertFalse(metadataLogs.contains("waited for the last replicas"),
                "no partition waited out the revive wait: every replica reported");

        Map<String, String> after = PowerCutIT.writeAll(c, "after-");
        PowerCutIT.assertAllRead(c, after, "after the restart");
        for (String victim : servers.subList(0, servers.size() - 1)) {
            c.launcher().kill(victim);
            PowerCutIT.assertAllRead(c, after, "after killing " + victim);
        }
    }

    private static boolean wholeAgain(PartitionMap m, int k) {
        for (Chain ch : m.getChainsList()) {
            if (ch.getReplicasCount() < k || !ch.getJoining().isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private static String metadataLogs(TestCluster c) throws Exception {
        StringBuilder all = new StringBuilder();
        for (String id : c.launcher().metadataIds()) {
            all.append(Files.readString(c.launcher().logFile(id)));
        }
        return all.toString();
    }
}
