package org.gtstore.tests.support;

import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.gtstore.client.internal.MetadataClient;
import org.gtstore.client.MetadataUnavailableException;
import org.gtstore.gtctl.cluster.ClusterFile;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.proto.PartitionMap;

/** What the fault tests ask a running cluster: its map, its metadata leader, keys to use. */
public final class ClusterProbe {
    private ClusterProbe() {
    }

    /** The leader's map, or while no member leads, the newest map any member has. */
    public static PartitionMap map(TestCluster c) {
        try (MetadataClient m = MetadataClient.create(c.metadataAddresses(), c.security())) {
            try {
                // A follower may not have applied the cluster's start yet.
                return m.getLeaderMap();
            } catch (MetadataUnavailableException e) {
                return m.getMap();      // no leader now: the newest map any member has
            }
        }
    }

    /** The member that leads, once one does (an election may be under way). */
    public static String metadataLeader(TestCluster c, Duration within) {
        return await("a metadata leader").atMost(within).pollInterval(Duration.ofMillis(100))
                .until(() -> currentLeader(c), id -> id != null);
    }

    /**
     * The member that says it leads among those this JVM reaches, or null if none answers so
     * (a member that does not answer, down or cut off, is not the leader this side sees).
     */
    public static String currentLeader(TestCluster c) {
        ClusterFile file = c.launcher().cluster();
        try (MetadataClient m = MetadataClient.create(c.metadataAddresses(), c.security())) {
            for (ClusterFile.MetadataMember member : file.metadata()) {
                try {
                    if ("LEADER".equals(m.memberStatus(member.rpcAddress()).getRole())) {
                        return member.id();
                    }
                } catch (RuntimeException e) {
                    // Does not answer: not the leader.
                }
            }
        }
        return null;
    }

    /** {@code count} keys starting with {@code prefix} that fall in one partition. */
    public static List<String> keysOfOnePartition(KeyPartitioner p, String prefix, int count) {
        List<String> keys = new ArrayList<>();
        int target = p.partitionOf((prefix + 0).getBytes(StandardCharsets.UTF_8));
        for (int i = 0; keys.size() < count; i++) {
            String key = prefix + i;
            if (p.partitionOf(key.getBytes(StandardCharsets.UTF_8)) == target) {
                keys.add(key);
            }
        }
        return keys;
    }
}
