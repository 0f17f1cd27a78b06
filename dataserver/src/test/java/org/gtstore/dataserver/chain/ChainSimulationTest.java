package org.gtstore.dataserver.chain;

import static org.gtstore.dataserver.chain.ChainHarness.PARTITIONS;
import static org.gtstore.dataserver.chain.ChainHarness.partitionOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.gtstore.dataserver.storage.StoredValue;
import org.gtstore.proto.Chain;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.PutResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A seeded random schedule over four replicas with chains of three: puts, message deliveries in
 * random order across streams, broken streams, ticks, and up to two server deaths, each followed
 * by a map that is delivered to the survivors at different times. After the schedule the network
 * drains and the invariants are checked:
 * <ul>
 * <li>no acknowledged write is lost: the tail holds at least the last acked version of each key,
 *     with its value when the versions match;
 * <li>a (partition, version) is acknowledged for one write only (a new head never reuses a seq);
 * <li>every surviving chain converges: all members applied and committed the same seq.
 * </ul>
 * A failure names the seed; {@code -Dgt.seed=N} replays one, {@code -Dgt.seeds=N} runs seeds
 * 1..N (default 60).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChainSimulationTest {
    private static final org.slf4j.Logger LOG =
            org.slf4j.LoggerFactory.getLogger(ChainSimulationTest.class);
    private static final List<String> SERVERS = List.of("a", "b", "c", "d");
    private static final int KEYS = 12;

    private record Acked(String key, String value, long version) {
    }

    @Test
    void randomSchedulesKeepAckedWritesAndConverge() {
        String fixed = System.getProperty("gt.seed");
        if (fixed != null) {
            run(Long.parseLong(fixed));
            return;
        }
        long seeds = Long.getLong("gt.seeds", 60);
        for (long seed = 1; seed <= seeds; seed++) {
            run(seed);
        }
        // The schedules must actually exercise the protocol, not pass vacuously.
        LOG.info("{} schedules: {} writes acked, {} acked after a server died, {} servers"
                + " killed", seeds, totalAcked, ackedAfterKill, totalKilled);
        assertTrue(totalAcked > seeds * 20, "acked writes: " + totalAcked);
        assertTrue(totalKilled > seeds / 2, "kills: " + totalKilled);
        assertTrue(ackedAfterKill > seeds, "writes acked after a kill: " + ackedAfterKill);
    }

    private long totalAcked;
    private long totalKilled;
    private long ackedAfterKill;

    private void run(long seed) {
        try {
            Simulation sim = new Simulation(seed);
            sim.run();
            totalAcked += sim.ackedByVersion.size();
            totalKilled += sim.killed;
            ackedAfterKill += sim.ackedAfterKill;
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("seed " + seed + " (replay with -Dgt.seed=" + seed + "): "
                    + e.getMessage(), e);
        }
    }

    private static final class Simulation {
        private final Random random;
        private final ChainHarness h = new ChainHarness(
                new ChainReplicaConfig(10_000, 3, 40, 1 << 20, 10_000, 10_000),
                SERVERS.toArray(new String[0]));
        private final Map<Integer, List<String>> chains = new HashMap<>();
        private final Map<Integer, Long> chainEpochs = new HashMap<>();
        private final Map<String, PartitionMap> undeliveredMaps = new HashMap<>();
        private final Map<Long, String[]> putsInFlight = new HashMap<>();
        private final Map<String, Acked> lastAcked = new HashMap<>();
        private final Map<String, String> ackedByVersion = new HashMap<>();
        private final List<String> broken = new ArrayList<>();
        private int killed;
        private long ackedAfterKill;
        private long requestIds;

        Simulation(long seed) {
            this.random = new Random(seed);
            for (int p = 0; p < PARTITIONS; p++) {
                List<String> c = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    c.add(SERVERS.get((p + i) % SERVERS.size()));
                }
                chains.put(p, c);
                chainEpochs.put(p, 1L);
            }
            h.epoch = 1;
            PartitionMap first = map();
            for (String s : SERVERS) {
                h.deliverMap(first, s);
            }
        }

        void run() {
            for (int step = 0; step < 400; step++) {
                int dice = random.nextInt(100);
                if (dice < 30) {
                    put();
                } else if (dice < 80) {
                    deliverRandomMessage();
                } else if (dice < 88) {
                    deliverRandomMap();
                } else if (dice < 94) {
                    tickRandom();
                } else if (dice < 97) {
                    breakRandomStream();
                } else if (killed < 2) {
                    killRandom();
                }
                collectReplies();
            }
            drain();
            check();
        }

        private PartitionMap map() {
            return h.map(h.epoch, p -> Chain.newBuilder().setPartition(p)
                    .addAllReplicas(chains.get(p)).setEpoch(chainEpochs.get(p)).build());
        }

        private void put() {
            String key = "key" + random.nextInt(KEYS);
            int p = partitionOf(key);
            String head = chains.get(p).get(0);
            String value = "v" + (++requestIds);
            long token = h.put(head, h.request(key, value).setClientId("sim")
                    .setRequestId(requestIds).build());
            putsInFlight.put(token, new String[] {key, value, head});
        }

        private void collectReplies() {
            putsInFlight.entrySet().removeIf(e -> {
                PutResponse r = h.putReply(e.getKey());
                if (r == null) {
                    return false;
                }
                if (r.getCode() == ErrorCode.OK) {
                    String key = e.getValue()[0];
                    String id = partitionOf(key) + "/" + r.getVersion();
                    String before = ackedByVersion.putIfAbsent(id, key + "=" + e.getValue()[1]);
                    if (before != null) {
                        fail("version " + id + " acked twice: " + before + " and " + key + "="
                                + e.getValue()[1]);
                    }
                    ackedAfterKill += killed > 0 ? 1 : 0;
                    Acked prev = lastAcked.get(key);
                    if (prev == null || prev.version() < r.getVersion()) {
                        lastAcked.put(key, new Acked(key, e.getValue()[1], r.getVersion()));
                    }
                }
                return true;
            });
        }

        private void deliverRandomMessage() {
            List<ChainHarness.Link> live = new ArrayList<>();
            h.network.forEach((link, q) -> {
                if (!q.isEmpty()) {
                    live.add(link);
                }
            });
            if (!live.isEmpty()) {
                h.deliverOne(live.get(random.nextInt(live.size())));
            }
        }

        private void deliverRandomMap() {
            if (!broken.isEmpty() && random.nextBoolean()) {
                // A broken stream comes back: the sender is told it is connected again.
                String[] pair = broken.remove(0).split(">");
                if (h.node(pair[0]).alive) {
                    h.step(h.node(pair[0]), new ChainEvent.PeerConnected(pair[1]));
                }
                return;
            }
            List<String> waiting = new ArrayList<>(undeliveredMaps.keySet());
            if (waiting.isEmpty()) {
                return;
            }
            String s = waiting.get(random.nextInt(waiting.size()));
            h.deliverMap(undeliveredMaps.remove(s), s);
        }

        private void tickRandom() {
            String s = SERVERS.get(random.nextInt(SERVERS.size()));
            if (h.node(s).alive) {
                h.tick(s);
            }
        }

        private void breakRandomStream() {
            String from = SERVERS.get(random.nextInt(SERVERS.size()));
            String to = SERVERS.get(random.nextInt(SERVERS.size()));
            if (from.equals(to) || !h.node(from).alive) {
                return;
            }
            h.network.remove(new ChainHarness.Link(from, to, StreamKind.OUTBOUND));
            h.network.remove(new ChainHarness.Link(to, from, StreamKind.INBOUND));
            h.step(h.node(from), new ChainEvent.PeerDisconnected(to));
            broken.add(from + ">" + to);
        }

        private void killRandom() {
            List<String> alive = SERVERS.stream().filter(s -> h.node(s).alive).toList();
            String victim = alive.get(random.nextInt(alive.size()));
            h.kill(victim);
            killed++;
            // Its clients never hear back: the outcome of those puts is unknown.
            putsInFlight.values().removeIf(put -> put[2].equals(victim));
            h.epoch++;
            for (int p = 0; p < PARTITIONS; p++) {
                if (chains.get(p).remove(victim)) {
                    chainEpochs.put(p, h.epoch);
                }
            }
            PartitionMap next = map();
            undeliveredMaps.remove(victim);
            for (String s : SERVERS) {
                if (h.node(s).alive) {
                    undeliveredMaps.put(s, next);
                }
            }
        }

        /** Delivers every map and message and ticks until nothing moves. */
        private void drain() {
            undeliveredMaps.forEach((s, m) -> h.deliverMap(m, s));
            undeliveredMaps.clear();
            for (String pair : broken) {
                String[] ft = pair.split(">");
                if (h.node(ft[0]).alive) {
                    h.step(h.node(ft[0]), new ChainEvent.PeerConnected(ft[1]));
                }
            }
            broken.clear();
            for (int round = 0; round < 200; round++) {
                h.deliverAll();
                for (String s : SERVERS) {
                    if (h.node(s).alive) {
                        h.tick(s);
                    }
                }
                collectReplies();
            }
            assertTrue(putsInFlight.isEmpty(), "puts never answered: " + putsInFlight.size());
        }

        private void check() {
            for (Acked a : lastAcked.values()) {
                int p = partitionOf(a.key());
                List<String> chain = chains.get(p);
                String tail = chain.get(chain.size() - 1);
                StoredValue v = h.stored(tail, a.key());
                assertNotNull(v, "acked " + a + " missing at tail " + tail);
                assertTrue(v.version() >= a.version(), "tail " + tail + " has " + v.version()
                        + " < acked " + a);
                if (v.version() == a.version()) {
                    assertEquals(a.value(), v.value().toStringUtf8(), "value of " + a);
                }
            }
            for (int p = 0; p < PARTITIONS; p++) {
                List<String> chain = chains.get(p);
                long headApplied = h.replica(chain.get(0)).appliedSeq(p);
                for (String s : chain) {
                    assertEquals(headApplied, h.replica(s).appliedSeq(p), "applied of " + s
                            + " in partition " + p + " chain " + chain);
                    assertEquals(headApplied, h.replica(s).committedSeq(p), "committed of " + s
                            + " in partition " + p + " chain " + chain);
                }
            }
        }
    }
}
