package org.gtstore.metadata.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.metadata.model.PartitionChain;
import org.gtstore.metadata.model.ServerEntry;
import org.gtstore.metadata.statemachine.AppliedMap;
import org.gtstore.proto.AssignChains;
import org.gtstore.proto.Chain;
import org.gtstore.proto.FinishCopy;
import org.gtstore.proto.MetaCommand;
import org.gtstore.proto.PartitionTip;
import org.gtstore.proto.RecordTips;
import org.gtstore.proto.ReviveChains;
import org.gtstore.proto.ReviveEntry;
import org.gtstore.proto.StartCopy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Chain.epoch is "the map epoch in which this chain last changed", and data servers check
 * messages and client requests against it, so an unrelated map change must not disturb a
 * partition. Goal: over seeded random command sequences (valid and invalid, every command
 * type) applied to random clusters, every applied command gives exactly the chains whose
 * replicas, joining replica or last replicas changed the new epoch, and every other chain keeps
 * its epoch; a rejected command changes nothing. The incremental wire form of each epoch is
 * checked against the full one on the way. The seed is in every failure message;
 * -Dgt.seed=N replays it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChainEpochPropertyTest {

    private static final long SEED = Long.getLong("gt.seed", System.nanoTime());

    @Test
    void everyCommandStampsExactlyTheChainsItChanges() {
        Random random = new Random(SEED);
        Map<MetaCommand.CommandCase, Integer> applied = new EnumMap<>(
                MetaCommand.CommandCase.class);
        for (int trial = 0; trial < 150; trial++) {
            int n = 2 + random.nextInt(7);
            int k = 1 + random.nextInt(Math.min(n, 4));
            int p = 1 + random.nextInt(48);
            ClusterState s = Fixtures.assigned(n, k, p);
            AppliedMap map = AppliedMap.of(s, 0);
            for (int step = 0; step < 40; step++) {
                MetaCommand cmd = randomCommand(random, s, n);
                String msg = "seed=" + SEED + " trial=" + trial + " step=" + step + " N=" + n
                        + " K=" + k + " P=" + p + " " + cmd.getCommandCase();
                Outcome o = Commands.apply(s, cmd);
                if (!o.changed()) {
                    assertSame(s, o.state(), msg + " rejected but changed the state");
                    continue;
                }
                applied.merge(cmd.getCommandCase(), 1, Integer::sum);
                checkStamps(s, o.state(), msg);
                map = map.next(o.state(), step + 1);
                assertEquals(o.state().toProto(), map.map(), msg + " incremental wire form");
                s = o.state();
            }
        }
        for (MetaCommand.CommandCase c : List.of(MetaCommand.CommandCase.REGISTER,
                MetaCommand.CommandCase.MARK_DEAD, MetaCommand.CommandCase.ASSIGN,
                MetaCommand.CommandCase.START_COPY, MetaCommand.CommandCase.FINISH_COPY,
                MetaCommand.CommandCase.RECORD_TIPS)) {
            assertTrue(applied.getOrDefault(c, 0) >= 50, "seed=" + SEED + " too few " + c
                    + " applied to mean much: " + applied);
        }
    }

    private static void checkStamps(ClusterState before, ClusterState after, String msg) {
        assertEquals(before.epoch() + 1, after.epoch(), msg);
        for (PartitionChain now : after.chains()) {
            PartitionChain was = before.chains().get(now.partition());
            boolean changed = !was.replicas().equals(now.replicas())
                    || !was.joining().equals(now.joining())
                    || !was.lastReplicas().equals(now.lastReplicas())
                    || was.settling() != now.settling();
            long expected = changed ? after.epoch() : was.epoch();
            assertEquals(expected, now.epoch(), msg + " partition " + now.partition()
                    + (changed ? " changed" : " unchanged") + ": " + was + " -> " + now);
        }
    }

    private static MetaCommand randomCommand(Random random, ClusterState s, int n) {
        switch (random.nextInt(6)) {
            case 0:
                return register(random, s, n);
            case 1:
                return Fixtures.markDead(s, pickServer(random, s));
            case 2:
                ReplicaRestorePlanner.Plan plan = ReplicaRestorePlanner.plan(s);
                return plan.isEmpty() ? randomStartCopy(random, s) : plan.command();
            case 3:
                return randomStartCopy(random, s);
            case 4:
                return finishSome(random, s);
            case 5:
                int which = random.nextInt(3);
                return which == 0 ? assignSome(random, s)
                        : which == 1 ? someTips(random, s) : reviveSome(random, s);
            default:
                throw new AssertionError();
        }
    }

    /**
     * Tips of a member of a settling chain or of a last replica of an unavailable one (or of
     * partition 0's head, refused if there is none).
     */
    private static MetaCommand someTips(Random random, ClusterState s) {
        List<PartitionChain> waiting = s.chains().stream()
                .filter(c -> c.settling() || c.isUnavailable() && c.lastReplicas().stream()
                        .anyMatch(id -> s.server(id).map(e -> !e.isDead()).orElse(false)))
                .toList();
        PartitionChain c = waiting.isEmpty() ? s.chain(0)
                : waiting.get(random.nextInt(waiting.size()));
        List<String> reporters = c.isUnavailable() ? c.lastReplicas() : c.replicas();
        String member = reporters.isEmpty() ? pickServer(random, s)
                : reporters.get(random.nextInt(reporters.size()));
        return MetaCommand.newBuilder().setRecordTips(RecordTips.newBuilder().setServerId(member)
                .setIncarnation(s.server(member).map(ServerEntry::incarnation).orElse(0L))
                .addTips(PartitionTip.newBuilder().setPartition(c.partition())
                        .setChainEpoch(c.epoch()).setBranch(random.nextInt(3))
                        .setSeq(random.nextInt(20)))).build();
    }

    /** A ReviveChains of an unavailable chain (one with a tip, now and then one without). */
    private static MetaCommand reviveSome(Random random, ClusterState s) {
        List<PartitionChain> unavailable = s.chains().stream()
                .filter(c -> c.isUnavailable() && (!c.tips().isEmpty() || random.nextInt(4) == 0))
                .toList();
        PartitionChain c = unavailable.isEmpty() ? s.chain(0)
                : unavailable.get(random.nextInt(unavailable.size()));
        return MetaCommand.newBuilder().setRevive(ReviveChains.newBuilder().addEntries(
                ReviveEntry.newBuilder().setPartition(c.partition()).setChainEpoch(c.epoch())))
                .build();
    }

    /** A new server, a restart on the same disk or on a new one, or a stale incarnation. */
    private static MetaCommand register(Random random, ClusterState s, int n) {
        String id = "server" + (1 + random.nextInt(n + 2));
        long incarnation = s.server(id).map(ServerEntry::incarnation).orElse(0L)
                + (random.nextInt(10) == 0 ? 0 : 1);
        String disk = random.nextBoolean() ? s.server(id).map(ServerEntry::storageId)
                .orElse("disk-new") : "disk-" + random.nextInt(1000);
        return Fixtures.register(id, incarnation, disk);
    }

    private static String pickServer(Random random, ClusterState s) {
        List<String> ids = new ArrayList<>(s.servers().keySet());
        return ids.get(random.nextInt(ids.size()));
    }

    /** One to three entries on random partitions and servers: valid only sometimes. */
    private static MetaCommand randomStartCopy(Random random, ClusterState s) {
        StartCopy.Builder b = StartCopy.newBuilder().setExpectedEpoch(s.epoch());
        for (int i = 1 + random.nextInt(3); i > 0; i--) {
            b.addEntries(Fixtures.entry(random.nextInt(s.chains().size()),
                    pickServer(random, s)));
        }
        return MetaCommand.newBuilder().setStartCopy(b).build();
    }

    /** A random subset of the joining replicas, now and then with a bogus entry. */
    private static MetaCommand finishSome(Random random, ClusterState s) {
        FinishCopy.Builder b = FinishCopy.newBuilder().setExpectedEpoch(s.epoch());
        for (PartitionChain c : s.chains()) {
            if (c.hasJoining() && random.nextBoolean()) {
                b.addEntries(Fixtures.entry(c.partition(), c.joining()));
            }
        }
        if (b.getEntriesCount() == 0 || random.nextInt(8) == 0) {
            b.addEntries(Fixtures.entry(random.nextInt(s.chains().size()),
                    pickServer(random, s)));
        }
        return MetaCommand.newBuilder().setFinishCopy(b).build();
    }

    /** New chains for a few partitions from live servers; some are the chain they replace. */
    private static MetaCommand assignSome(Random random, ClusterState s) {
        List<String> live = new ArrayList<>(s.liveServers().stream().map(ServerEntry::id)
                .toList());
        AssignChains.Builder b = AssignChains.newBuilder().setExpectedEpoch(s.epoch())
                .setReason("test");
        int k = s.settings().replication();
        for (PartitionChain c : s.chains()) {
            if (random.nextInt(4) != 0) {
                continue;
            }
            if (random.nextBoolean() && !c.isUnavailable()) {
                b.addChains(Chain.newBuilder().setPartition(c.partition())
                        .addAllReplicas(c.replicas()).setJoining(c.joining()));
                continue;
            }
            Collections.shuffle(live, random);
            int size = Math.min(live.size(), 1 + random.nextInt(k));
            b.addChains(Chain.newBuilder().setPartition(c.partition())
                    .addAllReplicas(live.subList(0, size)));
        }
        return MetaCommand.newBuilder().setAssign(b).build();
    }
}
