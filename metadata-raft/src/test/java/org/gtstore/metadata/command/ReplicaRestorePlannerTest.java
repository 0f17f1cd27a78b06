package org.gtstore.metadata.command;

import static org.gtstore.metadata.command.PlacementChecks.assertHeadsWithinOneAndAHalfOfTheMean;
import static org.gtstore.metadata.command.PlacementChecks.assertSpread;
import static org.gtstore.metadata.command.PlacementChecks.count;
import static org.gtstore.metadata.command.PlacementChecks.gridPartitions;
import static org.gtstore.metadata.command.PlacementChecks.slotsOfLiveServers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.metadata.model.PartitionChain;
import org.gtstore.proto.CopyEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Properties of restoring K after a death, over a grid of (N, K, P) and over combinations
 * drawn from a seeded Random (the seed is printed in every failure message; -Dgt.seed=N
 * replays one): the plan is one epoch, every chain is back to K distinct live members, slots
 * are level again and heads stay within 1.5x the mean, and the copies open few new chain
 * lanes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReplicaRestorePlannerTest {

    private static final long SEED = Long.getLong("gt.seed", System.nanoTime());

    /**
     * Goal: after one death and the copies that restore K, the survivors hold floor or
     * ceil(P*K/(N-1)) slots, and the map still has few lanes: at most 3(N-1) in all (the
     * ring of survivors has 2(N-1)) and at most five successors or predecessors per server.
     * New lanes cannot always be avoided: a copy leaves the chain's tail, the short chains'
     * tails are the few neighbours of the dead server, and level slots need copies on every
     * survivor; at K=2 only two tails remain, which between them reach all the others.
     */
    @Test
    void gridRestoreAfterOneDeathIsLevelOnFewLanes() {
        for (int n = 3; n <= 10; n++) {
            for (int k = 2; k <= Math.min(5, n - 1); k++) {
                for (int p : gridPartitions(n)) {
                    ClusterState before = Fixtures.assigned(n, k, p);
                    for (int v = 1; v <= n; v++) {
                        String victim = "server" + v;
                        String msg = context(n, k, p) + " victim=" + victim;
                        ClusterState after = restoreAfterDeath(before, victim, msg);
                        Map<String, Integer> slots = slotsOfLiveServers(after);
                        assertEquals(n - 1, slots.size(), msg + " " + slots);
                        assertSpread(slots, 1, msg + " memberships " + slots);
                        if (p >= 8 * n) {
                            assertHeadsWithinOneAndAHalfOfTheMean(after, msg);
                        }
                        ChainLanes lanes = new ChainLanes(after.chains());
                        assertTrue(lanes.count() <= 3 * (n - 1), msg + " " + lanes);
                        assertTrue(lanes.maxSuccessors() <= 5, msg + " " + lanes);
                        assertTrue(lanes.maxPredecessors() <= 5, msg + " " + lanes);
                    }
                }
            }
        }
    }

    @Test
    void restoringKAfterADeathKeepsMembershipsBalanced() {
        Random random = new Random(SEED + 2);
        for (int trial = 0; trial < 100; trial++) {
            int n = 3 + random.nextInt(9);
            int k = 2 + random.nextInt(Math.min(n - 1, 4) - 1);
            int p = n + random.nextInt(300);
            ClusterState state = Fixtures.assigned(n, k, p);
            String victim = "server" + (1 + random.nextInt(n));
            state = Fixtures.apply(state, Fixtures.markDead(state, victim));
            ReplicaRestorePlanner.Plan plan = ReplicaRestorePlanner.plan(state);
            String msg = context(n, k, p) + " victim=" + victim;
            ClusterState restored = restore(state, plan, msg);
            Map<String, Integer> slots = count(restored.chains(), false);
            assertNoCopyCouldMoveToALighterServer(state, plan, slots, msg);
        }
    }

    /** Marks {@code victim} dead, applies the plan and finishes every copy. */
    private static ClusterState restoreAfterDeath(ClusterState state, String victim,
                                                  String msg) {
        ClusterState shortOfK = Fixtures.apply(state, Fixtures.markDead(state, victim));
        return restore(shortOfK, ReplicaRestorePlanner.plan(shortOfK), msg);
    }

    /** Applies the plan (if there is one) and finishes every copy: K distinct live members. */
    private static ClusterState restore(ClusterState shortOfK, ReplicaRestorePlanner.Plan plan,
                                        String msg) {
        assertEquals(0, plan.stuck(), msg);
        ClusterState done = shortOfK;
        if (!plan.isEmpty()) {
            ClusterState copying = Fixtures.apply(shortOfK, plan.command());
            assertEquals(shortOfK.epoch() + 1, copying.epoch(), msg + " one epoch per plan");
            done = Fixtures.finishAllCopies(copying);
        }
        int k = done.settings().replication();
        for (PartitionChain c : done.chains()) {
            assertEquals(k, c.replicas().size(), msg + " partition=" + c.partition());
            assertEquals(k, new HashSet<>(c.replicas()).size(), msg);
            for (String id : c.replicas()) {
                assertTrue(!done.server(id).orElseThrow().isDead(), msg + " " + c);
            }
        }
        return done;
    }

    /**
     * Perfect balance (spread 1) is not always possible: with N=6, K=4 a chain that lost a
     * replica has only two candidates, and seed 2543426514520 gives a spare that only one
     * short chain may use. What the planner must guarantee is that no planned copy could go
     * to another eligible server that ends with at least two fewer memberships.
     */
    private static void assertNoCopyCouldMoveToALighterServer(ClusterState before,
            ReplicaRestorePlanner.Plan plan, Map<String, Integer> slots, String msg) {
        for (CopyEntry e : plan.copies()) {
            PartitionChain c = before.chain(e.getPartition());
            for (String other : slots.keySet()) {
                if (!c.contains(other) && !other.equals(e.getServerId())) {
                    assertTrue(slots.get(other) >= slots.get(e.getServerId()) - 1, msg
                            + " partition " + c.partition() + " went to " + e.getServerId()
                            + " but " + other + " is lighter: " + slots);
                }
            }
        }
    }

    private static String context(int n, int k, int p) {
        return "seed=" + SEED + " N=" + n + " K=" + k + " P=" + p;
    }
}
