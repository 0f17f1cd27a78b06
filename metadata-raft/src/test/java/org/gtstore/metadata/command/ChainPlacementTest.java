package org.gtstore.metadata.command;

import static org.gtstore.metadata.command.PlacementChecks.assertHeadsWithinOneAndAHalfOfTheMean;
import static org.gtstore.metadata.command.PlacementChecks.assertSpread;
import static org.gtstore.metadata.command.PlacementChecks.count;
import static org.gtstore.metadata.command.PlacementChecks.gridPartitions;
import static org.gtstore.metadata.command.PlacementChecks.slotsOfLiveServers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.metadata.model.PartitionChain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Properties of the first assignment and of a death, checked over a grid of (N, K, P) and
 * over many combinations drawn from a seeded Random (the seed is printed in every failure
 * message; -Dgt.seed=N replays one): K distinct members, heads and slots balanced within one,
 * at most two successors and two predecessors per server, and after any one death a
 * survivors' head load of at most 1.5 times their mean. Restoring K is
 * {@link ReplicaRestorePlannerTest}'s.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChainPlacementTest {

    private static final long SEED = Long.getLong("gt.seed", System.nanoTime());

    @Test
    void everyCombinationIsBalancedAndDistinct() {
        Random random = new Random(SEED);
        for (int trial = 0; trial < 400; trial++) {
            int n = 1 + random.nextInt(12);
            int k = 1 + random.nextInt(Math.min(n, 5));
            int p = 1 + random.nextInt(300);
            checkPlacement(n, k, p);
        }
        for (int n = 1; n <= 9; n++) {
            for (int k = 1; k <= n; k++) {
                for (int p = 1; p <= 2 * n + 1; p++) {
                    checkPlacement(n, k, p);
                }
            }
        }
    }

    @Test
    void gridOfServersReplicationAndPartitionsIsBalancedOnFewLanes() {
        for (int n = 3; n <= 10; n++) {
            for (int k = 1; k <= Math.min(5, n); k++) {
                for (int p : gridPartitions(n)) {
                    List<PartitionChain> chains = checkPlacement(n, k, p);
                    if (k >= 2 && p >= 2 * n) {
                        assertEquals(2 * n, new ChainLanes(chains).count(), context(n, k, p)
                                + " a ring of two directions has 2N lanes");
                    }
                }
            }
        }
    }

    /**
     * Goal: when a server dies, promotion (its successor heads its chains) spreads its heads
     * over both ring neighbours, so no survivor heads more than 1.5 times the survivors' mean,
     * slots stay within one, and the chains close up into the ring of survivors (still two
     * successors each). The bound needs enough partitions per server to average over: P at
     * least 8N (the defaults give a hundred or more).
     */
    @Test
    void oneDeathSpreadsHeadsOverTheSurvivorsAndClosesTheRing() {
        for (int n = 3; n <= 10; n++) {
            for (int k = 1; k <= Math.min(5, n); k++) {
                for (int p : gridPartitions(n)) {
                    if (p < 8 * n) {
                        continue;
                    }
                    ClusterState before = Fixtures.assigned(n, k, p);
                    for (int v = 1; v <= n; v++) {
                        String victim = "server" + v;
                        ClusterState after = Fixtures.apply(before,
                                Fixtures.markDead(before, victim));
                        String msg = context(n, k, p) + " victim=" + victim;
                        assertHeadsWithinOneAndAHalfOfTheMean(after, msg);
                        Map<String, Integer> slots = slotsOfLiveServers(after);
                        assertSpread(slots, 1, msg + " memberships " + slots);
                        ChainLanes lanes = new ChainLanes(after.chains());
                        assertTrue(lanes.maxSuccessors() <= 2 && lanes.maxPredecessors() <= 2,
                                msg + " " + lanes);
                    }
                }
            }
        }
    }

    @Test
    void largeClusterOfThousandPartitionsIsBalanced() {
        checkPlacement(7, 3, 1024);
        checkPlacement(10, 5, 1024);
        checkPlacement(3, 2, 256);
    }

    @Test
    void onlyChainsThatHeldADeadServerChange() {
        Random random = new Random(SEED + 1);
        for (int trial = 0; trial < 100; trial++) {
            int n = 2 + random.nextInt(10);
            int k = 1 + random.nextInt(Math.min(n - 1, 4));
            int p = 1 + random.nextInt(200);
            ClusterState before = Fixtures.assigned(n, k, p);
            String victim = "server" + (1 + random.nextInt(n));
            ClusterState after = Fixtures.apply(before, Fixtures.markDead(before, victim));
            String msg = context(n, k, p) + " victim=" + victim;
            for (int part = 0; part < p; part++) {
                PartitionChain was = before.chain(part);
                PartitionChain now = after.chain(part);
                if (was.contains(victim)) {
                    List<String> expected = new ArrayList<>(was.replicas());
                    expected.remove(victim);
                    assertEquals(expected, now.replicas(), msg + " partition=" + part);
                    assertEquals(after.epoch(), now.epoch(), msg);
                } else {
                    assertEquals(was, now, msg + " partition=" + part + " changed");
                }
            }
        }
    }

    private static List<PartitionChain> checkPlacement(int n, int k, int p) {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            ids.add("s" + i);
        }
        List<List<String>> chains = ChainPlacement.place(ids, p, k);
        String msg = context(n, k, p);
        assertEquals(p, chains.size(), msg);
        List<PartitionChain> asChains = new ArrayList<>();
        for (int i = 0; i < p; i++) {
            List<String> c = chains.get(i);
            assertEquals(k, c.size(), msg + " partition=" + i);
            assertEquals(k, new HashSet<>(c).size(), msg + " duplicate in " + c);
            asChains.add(PartitionChain.of(i, c, 1));
        }
        Map<String, Integer> heads = count(asChains, true);
        Map<String, Integer> slots = count(asChains, false);
        for (String id : ids) {
            heads.putIfAbsent(id, 0);
            slots.putIfAbsent(id, 0);
        }
        assertSpread(heads, 1, msg + " heads " + heads);
        assertSpread(slots, 1, msg + " memberships " + slots);
        assertEquals(p, heads.values().stream().mapToInt(Integer::intValue).sum(), msg);
        ChainLanes lanes = new ChainLanes(asChains);
        assertTrue(lanes.maxSuccessors() <= 2, msg + " " + lanes);
        assertTrue(lanes.maxPredecessors() <= 2, msg + " " + lanes);
        return asChains;
    }

    private static String context(int n, int k, int p) {
        return "seed=" + SEED + " N=" + n + " K=" + k + " P=" + p;
    }
}
