package org.gtstore.tests.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.gtstore.proto.Chain;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;
import org.gtstore.tests.history.RegisterChecker;

/** What the elastic-cluster tests check of a workload and of the map at the end. */
public final class ClusterChecks {
    private ClusterChecks() {
    }

    /**
     * Every chain has K members and no move under way, and every live server holds replica
     * slots and heads within one of the others.
     */
    public static void assertBalanced(PartitionMap map, int k, String when) {
        Map<String, Integer> slots = new TreeMap<>();
        Map<String, Integer> heads = new TreeMap<>();
        for (ServerInfo s : map.getServersList()) {
            if (s.getState() != ServerState.DEAD) {
                slots.put(s.getId(), 0);
                heads.put(s.getId(), 0);
            }
        }
        for (Chain ch : map.getChainsList()) {
            assertEquals(k, ch.getReplicasCount(), when + ": " + ch);
            assertTrue(ch.getJoining().isEmpty() && ch.getLeaving().isEmpty(), when + ": " + ch);
            ch.getReplicasList().forEach(id -> slots.merge(id, 1, Integer::sum));
            heads.merge(ch.getReplicas(0), 1, Integer::sum);
        }
        assertTrue(spread(slots) <= 1, when + ": slots " + slots);
        assertTrue(spread(heads) <= 1, when + ": heads " + heads);
    }

    /** True once the map is balanced as {@link #assertBalanced} checks it. */
    public static boolean isBalanced(PartitionMap map, int k) {
        try {
            assertBalanced(map, k, "");
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }

    private static int spread(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).max().orElse(0)
                - counts.values().stream().mapToInt(Integer::intValue).min().orElse(0);
    }

    /** No operation failed (none timed out, none was refused). */
    public static void assertNoneFailed(RecordedWorkload w) {
        assertEquals(0, w.failed(), "failed operations (a sample): " + w.sampleFailures());
    }

    /** The workload's history is linearizable and holds acknowledged writes. */
    public static void assertLinearizable(RecordedWorkload w) {
        Optional<RegisterChecker.Violation> violation = RegisterChecker.check(w.history().ops());
        assertFalse(violation.isPresent(), () -> violation.get().toString());
        assertTrue(w.history().acknowledgedWrites() > 0, "no write was acknowledged");
    }
}
