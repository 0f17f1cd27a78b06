package org.gtstore.metadata.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.metadata.model.PartitionChain;
import org.gtstore.metadata.model.ServerEntry;
import org.gtstore.proto.CopyEntry;
import org.gtstore.proto.DrainServer;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.MetaCommand;
import org.junit.jupiter.api.Test;

/**
 * Properties of rebalancing, driven as the leader drives it: plan, start the copies, finish
 * each (the joining replica becomes the tail, the leaving member goes), shed the leaving tails
 * once they applied the map, again until nothing is left to move. At every step every chain
 * has at least K distinct live members; at the end slots are within one and no member is on a
 * draining server.
 */
class RebalancePlannerTest {

    private static final long SEED = Long.getLong("gt.seed", System.nanoTime());
    private static final int MAX_MOVES = 16;

    @Test
    void growingBalancesSlotsAndHeads() {
        for (int n : new int[] {3, 5, 7}) {
            for (int k = 1; k <= Math.min(3, n); k++) {
                for (int p : n == 5 && k == 3 ? new int[] {n * 9 + 2, 256, 1024}
                        : new int[] {n * 9 + 2, 256}) {
                    String msg = "grow N=" + n + "+2 K=" + k + " P=" + p;
                    ClusterState s = Fixtures.assigned(n, k, p);
                    s = register(s, "server" + (n + 1));
                    s = register(s, "server" + (n + 2));
                    Result r = rebalance(s, msg);
                    assertSpread(slots(r.state), 1, msg + " slots");
                    assertSpread(heads(r.state), 1, msg + " heads");
                    assertFalse(RebalancePlanner.mayMove(r.state), msg);
                    // Each new server needs about P*K/(N+2) slots: moves beyond that are the
                    // price of heads (a move shifts a head one place down its chain).
                    int needed = 2 * p * k / (n + 2);
                    assertTrue(r.moves <= 3 * needed + 2 * n, msg + ": " + r.moves
                            + " moves for " + needed + " slots");
                }
            }
        }
    }

    @Test
    void noMoveStartsWhileACopyRestoresK() {
        // Goal: a death leaves chains short of K and a new server makes the cluster unbalanced;
        // no move starts before the restoring copies are started, nor while they run, and
        // moves start once every chain has K members again.
        ClusterState s = Fixtures.assigned(5, 3, 64);
        s = Fixtures.apply(s, Fixtures.markDead(s, "server2"));
        s = register(s, "server6");
        assertTrue(RebalancePlanner.plan(s, MAX_MOVES).isEmpty(), "before the restore starts");
        ReplicaRestorePlanner.Plan restore = ReplicaRestorePlanner.plan(s);
        assertFalse(restore.isEmpty());
        s = Fixtures.apply(s, restore.command());
        assertTrue(RebalancePlanner.restoring(s));
        assertTrue(RebalancePlanner.plan(s, MAX_MOVES).isEmpty(), "while the restore copies");
        s = Fixtures.finishAllCopies(s);
        assertFalse(RebalancePlanner.restoring(s));
        assertFalse(RebalancePlanner.plan(s, MAX_MOVES).isEmpty(), "once K is whole");
    }

    @Test
    void drainingMovesEveryPositionOffAndKeepsBalance() {
        for (int n : new int[] {4, 7}) {
            for (int k = 1; k <= 3; k++) {
                String msg = "drain N=" + n + " K=" + k;
                ClusterState s = Fixtures.assigned(n, k, 256);
                s = drain(s, "server2");
                Result r = rebalance(s, msg);
                assertFalse(ChainEdits.holdsPosition(r.state.chains(), "server2"), msg);
                Map<String, Integer> slots = slots(r.state);
                slots.remove("server2");
                assertSpread(slots, 1, msg + " slots");
            }
        }
    }

    @Test
    void drainIsRefusedWhenTheOthersCannotHoldK() {
        ClusterState s = Fixtures.assigned(3, 3, 32);
        Fixtures.assertRejected(s, drainCommand("server1"), ErrorCode.NOT_ENOUGH_SERVERS);
        s = register(s, "server4");
        s = drain(s, "server1");
        Fixtures.assertRejected(s, drainCommand("server2"), ErrorCode.NOT_ENOUGH_SERVERS);
        Fixtures.assertRejected(s, drainCommand("server1"), ErrorCode.INVALID_ARGUMENT);
        Fixtures.assertRejected(s, drainCommand("server9"), ErrorCode.UNKNOWN_SERVER);
    }

    @Test
    void randomGrowDrainAndDeathsKeepKAndEndBalanced() {
        Random random = new Random(SEED);
        for (int trial = 0; trial < 30; trial++) {
            int n = 3 + random.nextInt(5);
            int k = 1 + random.nextInt(Math.min(3, n));
            int p = 16 + random.nextInt(200);
            String msg = "seed=" + SEED + " trial=" + trial + " N=" + n + " K=" + k + " P=" + p;
            ClusterState s = Fixtures.assigned(n, k, p);
            s = register(s, "server" + (n + 1));
            if (random.nextBoolean()) {
                s = drain(s, "server" + (1 + random.nextInt(n)));
            }
            s = rebalanceWithDeath(s, random, msg);
            if (s.liveServers().stream().filter(ServerEntry::takesPositions).count() < k) {
                // The death left too few servers to drain onto: the drain waits for one.
                checkK(s, 1, msg + " drain stuck");
                continue;
            }
            Map<String, Integer> slots = slots(s);
            for (ServerEntry e : s.servers().values()) {
                if (e.draining()) {
                    assertFalse(ChainEdits.holdsPosition(s.chains(), e.id()), msg);
                    slots.remove(e.id());
                }
            }
            assertSpread(slots, 1, msg + " slots");
        }
    }

    /** Rebalances halfway, kills one live server (K > 1), restores K, then rebalances. */
    private static ClusterState rebalanceWithDeath(ClusterState s, Random random, String msg) {
        for (int round = 0; round < 3; round++) {
            s = round(s, msg);
        }
        if (s.settings().replication() > 1) {
            List<ServerEntry> live = s.liveServers();
            String victim = live.get(random.nextInt(live.size())).id();
            s = Fixtures.apply(s, Fixtures.markDead(s, victim));
            checkK(s, 1, msg + " after " + victim + " died");
            s = Fixtures.finishAllCopies(s);
            ReplicaRestorePlanner.Plan restore = ReplicaRestorePlanner.plan(s);
            if (!restore.isEmpty()) {
                s = Fixtures.finishAllCopies(Fixtures.apply(s, restore.command()));
            }
        }
        return rebalance(s, msg).state;
    }

    private record Result(ClusterState state, int moves) {
    }

    private static Result rebalance(ClusterState s, String msg) {
        int moves = 0;
        for (int rounds = 0; rounds < 10_000; rounds++) {
            RebalancePlanner.Plan plan = RebalancePlanner.plan(s, MAX_MOVES);
            List<CopyEntry> sheds = RebalancePlanner.sheds(s, appliedEverything(s));
            if (plan.isEmpty() && sheds.isEmpty()) {
                return new Result(s, moves);
            }
            moves += plan.moves().size();
            s = round(s, msg);
        }
        throw new AssertionError(msg + ": rebalancing did not end");
    }

    /** One round: start the planned moves, finish every copy, shed what is due. */
    private static ClusterState round(ClusterState s, String msg) {
        RebalancePlanner.Plan plan = RebalancePlanner.plan(s, MAX_MOVES);
        assertTrue(plan.moves().size() <= MAX_MOVES, msg);
        if (!plan.isEmpty()) {
            s = Fixtures.apply(s, plan.command());
            checkK(s, 0, msg + " copies started");
        }
        s = Fixtures.finishAllCopies(s);
        checkK(s, 0, msg + " copies finished");
        List<CopyEntry> sheds = RebalancePlanner.sheds(s, appliedEverything(s));
        if (!sheds.isEmpty()) {
            s = Fixtures.apply(s, RebalancePlanner.shedCommand(s, sheds));
            checkK(s, 0, msg + " shed");
        }
        return s;
    }

    /** Every chain has at least K - {@code lost} distinct live members. */
    private static void checkK(ClusterState s, int lost, String msg) {
        int k = s.settings().replication();
        for (PartitionChain c : s.chains()) {
            assertTrue(c.replicas().size() >= k - lost, msg + " " + c);
            assertEquals(c.replicas().size(), new HashSet<>(c.replicas()).size(), msg);
            for (String id : c.replicas()) {
                assertFalse(s.server(id).orElseThrow().isDead(), msg + " " + c);
            }
        }
    }

    private static Map<String, Long> appliedEverything(ClusterState s) {
        Map<String, Long> out = new HashMap<>();
        s.servers().keySet().forEach(id -> out.put(id, s.epoch()));
        return out;
    }

    private static ClusterState register(ClusterState s, String id) {
        long incarnation = s.server(id).map(ServerEntry::incarnation).orElse(0L) + 1;
        return Fixtures.apply(s, Fixtures.register(id, incarnation, Fixtures.disk(id)));
    }

    private static ClusterState drain(ClusterState s, String id) {
        return Fixtures.apply(s, drainCommand(id));
    }

    private static MetaCommand drainCommand(String id) {
        return MetaCommand.newBuilder().setDrain(DrainServer.newBuilder().setServerId(id)
                .setDrain(true)).build();
    }

    private static Map<String, Integer> slots(ClusterState s) {
        Map<String, Integer> out = new TreeMap<>();
        s.liveServers().forEach(e -> out.put(e.id(), 0));
        s.chains().forEach(c -> c.replicas().forEach(id -> out.merge(id, 1, Integer::sum)));
        return out;
    }

    private static Map<String, Integer> heads(ClusterState s) {
        Map<String, Integer> out = new TreeMap<>();
        s.liveServers().forEach(e -> out.put(e.id(), 0));
        s.chains().forEach(c -> out.merge(c.head(), 1, Integer::sum));
        return out;
    }

    private static void assertSpread(Map<String, Integer> counts, int max, String msg) {
        int spread = counts.values().stream().mapToInt(Integer::intValue).max().orElse(0)
                - counts.values().stream().mapToInt(Integer::intValue).min().orElse(0);
        assertTrue(spread <= max, msg + " spread " + spread + ": " + counts);
    }
}
