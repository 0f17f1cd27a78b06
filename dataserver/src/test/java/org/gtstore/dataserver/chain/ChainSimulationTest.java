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
import org.gtstore.proto.GetResponse;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.PutResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A seeded random schedule over four replicas with chains of three: puts (with client and
 * request ids, some of them retries), message deliveries in random order across streams, broken
 * streams, ticks, copy chunks read at random moments, server deaths (each followed by a map that
 * reaches the survivors at different times), restarts of dead servers on their stores (they
 * come back as spares), restarts in place (positions kept), and the metadata model restoring K:
 * a short chain gets a live spare as joining replica (StartCopy), and the tail's caught-up
 * report makes it the tail (FinishCopy). After every step: at most one head and one tail per
 * partition and chain epoch among the replicas, and the prefix property (a successor never has
 * applied more than its predecessor), and linearizable reads: every key read at the tail of the
 * latest map returns at least the last version acknowledged for it (the reads take no
 * randomness, so they do not change the schedules). After the schedule everything drains and:
 * <ul>
 * <li>no acknowledged write is lost: the tail holds at least the last acked version of each key,
 *     with its value when the versions match;
 * <li>a (partition, version) is acknowledged for one write only (a new head never reuses a seq);
 * <li>a request (client id, request id) is acknowledged at one version only (a retry of a
 *     committed write is never applied a second time);
 * <li>every chain is back to K replicas (enough servers are alive) and converges: all members
 *     applied and committed the same seq and hold the same data.
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
        // Every seed runs, so that one failure does not hide the others behind it.
        List<AssertionError> failures = new ArrayList<>();
        for (long seed = 1; seed <= seeds; seed++) {
            try {
                run(seed);
            } catch (AssertionError e) {
                LOG.error("{}", e.getMessage());
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            StringBuilder all = new StringBuilder();
            failures.forEach(f -> all.append("\n  ").append(f.getMessage()));
            throw new AssertionError(failures.size() + " of " + seeds + " seeds failed:" + all,
                    failures.get(0));
        }
        // The schedules must actually exercise the protocol, not pass vacuously.
        LOG.info("{} schedules: {} writes acked, {} acked after a server died, {} servers"
                + " killed, {} joining replicas made tails", seeds, totalAcked, ackedAfterKill,
                totalKilled, totalCopiesFinished);
        assertTrue(totalAcked > seeds * 20, "acked writes: " + totalAcked);
        assertTrue(totalKilled > seeds / 2, "kills: " + totalKilled);
        assertTrue(ackedAfterKill > seeds, "writes acked after a kill: " + ackedAfterKill);
        assertTrue(totalCopiesFinished > seeds, "copies finished: " + totalCopiesFinished);
    }

    private long totalAcked;
    private long totalKilled;
    private long ackedAfterKill;
    private long totalCopiesFinished;

    private void run(long seed) {
        try {
            Simulation sim = new Simulation(seed);
            sim.run();
            totalAcked += sim.ackedByVersion.size();
            totalKilled += sim.killed;
            ackedAfterKill += sim.ackedAfterKill;
            totalCopiesFinished += sim.copiesFinished;
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("seed " + seed + " (replay with -Dgt.seed=" + seed + "): "
                    + e.getMessage(), e);
        }
    }

    private static final class Simulation {
        private final Random random;
        private final ChainHarness h = new ChainHarness(
                new ChainReplicaConfig(10_000, 3, 40, 1 << 20, 10_000, 10_000, 2, 200, 3,
                        10_000),
                SERVERS.toArray(new String[0]));
        private final Map<Integer, List<String>> chains = new HashMap<>();
        private final Map<Integer, String> joining = new HashMap<>();
        private final Map<Integer, Long> chainEpochs = new HashMap<>();
        private final Map<String, PartitionMap> undeliveredMaps = new HashMap<>();
        private final Map<Long, String[]> putsInFlight = new HashMap<>();
        private final Map<String, Acked> lastAcked = new HashMap<>();
        private final Map<String, String> ackedByVersion = new HashMap<>();
        private final Map<String, Long> versionByRequest = new HashMap<>();
        private final Map<Long, String> requestValues = new HashMap<>();
        private final List<String> broken = new ArrayList<>();
        private final java.util.Set<String> dead = new java.util.TreeSet<>();
        private int killed;
        private int copiesFinished;
        private long ackedAfterKill;
        private long requestIds;
        private final boolean trace = Boolean.getBoolean("gt.trace");
        private static final int TP = Integer.getInteger("gt.tracePartition", 0);

        private void trace(String what) {
            if (trace) {
                StringBuilder p0 = new StringBuilder();
                for (String s : SERVERS) {
                    p0.append(s).append("=").append(h.replica(s).appliedSeq(TP)).append("/")
                            .append(h.replica(s).committedSeq(TP)).append(" ");
                }
                LOG.info("sim epoch={}: {} | chains {} joining {} | p0 {}", h.epoch, what,
                        chains, joining, p0);
            }
        }

        Simulation(long seed) {
            this.random = new Random(seed);
            h.copierPaused = true;
            // One key per chunk: with a dozen keys over eight partitions, larger chunks would
            // make almost every copy a single chunk that is never cut short.
            h.copyChunkKeys = 1;
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
            for (int step = 0; step < 500; step++) {
                int dice = random.nextInt(100);
                if (dice < 28) {
                    put();
                } else if (dice < 70) {
                    deliverRandomMessage();
                } else if (dice < 78) {
                    deliverRandomMap();
                } else if (dice < 84) {
                    tickRandom();
                } else if (dice < 90) {
                    copyStepRandom();
                } else if (dice < 93) {
                    metadataDuty();
                } else if (dice < 95) {
                    breakRandomStream();
                } else if (dice < 97) {
                    restartRandom();
                } else if (killed < 3) {
                    killRandom();
                }
                collectReplies();
                checkStep();
                checkReads();
            }
            drain();
            check();
        }

        private PartitionMap map() {
            return h.map(h.epoch, p -> Chain.newBuilder().setPartition(p)
                    .addAllReplicas(chains.get(p)).setJoining(joining.getOrDefault(p, ""))
                    .setEpoch(chainEpochs.get(p)).build());
        }

        private void publish() {
            PartitionMap next = map();
            for (String s : SERVERS) {
                if (h.node(s).alive) {
                    undeliveredMaps.put(s, next);
                }
            }
        }

        private void put() {
            String key = "key" + random.nextInt(KEYS);
            int p = partitionOf(key);
            if (chains.get(p).isEmpty()) {
                return;
            }
            String head = chains.get(p).get(0);
            long id;
            String value;
            if (!requestValues.isEmpty() && random.nextInt(10) == 0) {
                // A client retry: same ids, same value.
                List<Long> ids = new ArrayList<>(requestValues.keySet());
                id = ids.get(random.nextInt(ids.size()));
                value = requestValues.get(id);
                key = value.substring(0, value.indexOf('='));
                p = partitionOf(key);
                if (chains.get(p).isEmpty()) {
                    return;
                }
                head = chains.get(p).get(0);
            } else {
                id = ++requestIds;
                value = key + "=v" + id;
                requestValues.put(id, value);
            }
            long token = h.put(head, h.request(key, value).setClientId("sim")
                    .setRequestId(id).build());
            putsInFlight.put(token, new String[] {key, value, head, Long.toString(id)});
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
                    String before = ackedByVersion.putIfAbsent(id, e.getValue()[1]);
                    if (before != null && !before.equals(e.getValue()[1])) {
                        fail("version " + id + " acked for two writes: " + before + " and "
                                + e.getValue()[1]);
                    }
                    // An acknowledged version is committed, so two of them for one request
                    // mean it was applied twice, possibly over a newer write (issue #4).
                    Long once = versionByRequest.putIfAbsent(e.getValue()[3], r.getVersion());
                    if (once != null && once != r.getVersion()) {
                        fail("request " + e.getValue()[3] + " (" + e.getValue()[1] + ") acked at"
                                + " versions " + once + " and " + r.getVersion());
                    }
                    ackedAfterKill += killed > 0 ? 1 : 0;
                    trace("acked " + id + " " + e.getValue()[1] + " via " + e.getValue()[2]);
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
                ChainHarness.Link l = live.get(random.nextInt(live.size()));
                if (trace) {
                    trace("deliver " + l + " " + h.network.get(l).peekFirst().toString()
                            .replace('\n', ' '));
                }
                h.deliverOne(l);
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
            PartitionMap m = undeliveredMaps.remove(s);
            trace("map " + m.getEpoch() + " to " + s);
            h.deliverMap(m, s);
        }

        private void tickRandom() {
            String s = SERVERS.get(random.nextInt(SERVERS.size()));
            if (h.node(s).alive) {
                h.tick(s);
            }
        }

        private void copyStepRandom() {
            String s = SERVERS.get(random.nextInt(SERVERS.size()));
            h.copyStep(s);
        }

        /** The metadata leader's duties: finish reported copies, then restore K. */
        private void metadataDuty() {
            boolean changed = false;
            for (String s : SERVERS) {
                for (CaughtUpReport r : h.node(s).caughtUp) {
                    int p = r.partition();
                    if (r.joining().equals(joining.get(p)) && chainEpochs.get(p) <= r.mapEpoch()
                            && !dead.contains(r.joining())) {
                        if (!changed) {
                            h.epoch++;
                            changed = true;
                        }
                        chains.get(p).add(joining.remove(p));
                        trace("finish copy p=" + p + " " + r);
                        chainEpochs.put(p, h.epoch);
                        copiesFinished++;
                    }
                }
                h.node(s).caughtUp.clear();
            }
            for (int p = 0; p < PARTITIONS; p++) {
                List<String> c = chains.get(p);
                if (c.isEmpty() || c.size() >= 3 || joining.containsKey(p)) {
                    continue;
                }
                List<String> spares = SERVERS.stream().filter(s -> !dead.contains(s)
                        && !c.contains(s)).toList();
                if (spares.isEmpty()) {
                    continue;
                }
                if (!changed) {
                    h.epoch++;
                    changed = true;
                }
                joining.put(p, spares.get(random.nextInt(spares.size())));
                trace("start copy p=" + p + " to " + joining.get(p));
                chainEpochs.put(p, h.epoch);
            }
            if (changed) {
                publish();
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

        /**
         * A dead server restarts on its store and registers as a spare; or a live one crashes
         * and restarts at once, keeping its positions (re-registering bumps the map epoch but
         * no chain's).
         */
        private void restartRandom() {
            String s = SERVERS.get(random.nextInt(SERVERS.size()));
            if (!dead.contains(s) && !h.node(s).alive) {
                return;
            }
            putsInFlight.values().removeIf(put -> put[2].equals(s));
            dead.remove(s);
            broken.removeIf(pair -> pair.startsWith(s + ">"));
            undeliveredMaps.remove(s);
            h.epoch++;
            h.node(s).caughtUp.clear();
            trace("restart " + s + " stored applied " + h.node(s).store.appliedSeqs()
                    + " joined " + h.node(s).store.joinEpochs() + " model epochs " + chainEpochs);
            h.restart(s, map());
            publish();
            undeliveredMaps.remove(s);
        }

        private void killRandom() {
            List<String> alive = SERVERS.stream().filter(s -> h.node(s).alive).toList();
            String victim = alive.get(random.nextInt(alive.size()));
            for (List<String> c : chains.values()) {
                if (c.size() == 1 && c.contains(victim)) {
                    return;   // never the last replica of a chain
                }
            }
            h.kill(victim);
            trace("kill " + victim);
            dead.add(victim);
            killed++;
            // Its clients never hear back: the outcome of those puts is unknown.
            putsInFlight.values().removeIf(put -> put[2].equals(victim));
            h.epoch++;
            for (int p = 0; p < PARTITIONS; p++) {
                boolean changed = chains.get(p).remove(victim);
                if (victim.equals(joining.get(p))) {
                    joining.remove(p);
                    changed = true;
                }
                if (changed) {
                    chainEpochs.put(p, h.epoch);
                }
            }
            undeliveredMaps.remove(victim);
            publish();
        }

        /** One head and one tail per partition and chain epoch; successors never ahead. */
        private void checkStep() {
            for (int p = 0; p < PARTITIONS; p++) {
                Map<Long, List<String>> heads = new HashMap<>();
                Map<Long, List<String>> tails = new HashMap<>();
                for (String s : SERVERS) {
                    ChainPosition pos = h.node(s).alive ? h.replica(s).position(p) : null;
                    if (pos == null) {
                        continue;
                    }
                    long e = h.replica(s).chainEpoch(p);
                    if (pos.head()) {
                        heads.computeIfAbsent(e, k -> new ArrayList<>()).add(s);
                    }
                    if (pos.tail()) {
                        tails.computeIfAbsent(e, k -> new ArrayList<>()).add(s);
                    }
                }
                for (List<String> hs : heads.values()) {
                    assertEquals(1, hs.size(), "heads of partition " + p + ": " + heads);
                }
                for (List<String> ts : tails.values()) {
                    assertEquals(1, ts.size(), "tails of partition " + p + ": " + tails);
                }
                List<String> order = new ArrayList<>(chains.get(p));
                if (joining.containsKey(p)) {
                    order.add(joining.get(p));
                }
                for (int i = 1; i < order.size(); i++) {
                    String pred = order.get(i - 1);
                    String succ = order.get(i);
                    if (!h.node(pred).alive || !h.node(succ).alive
                            || h.replica(succ).position(p) == null
                            || h.replica(pred).position(p) == null) {
                        continue;
                    }
                    long pa = h.replica(pred).appliedSeq(p);
                    long sa = h.replica(succ).appliedSeq(p);
                    assertTrue(sa <= pa, "prefix: " + succ + " applied " + sa + " > " + pred
                            + " applied " + pa + " in partition " + p + " chain " + order);
                }
            }
        }

        /**
         * Reads every acknowledged key at its tail in the latest map: a tail that answers must
         * show the last acknowledged version or a newer one. Servers that have not applied the
         * latest map answer FUTURE_EPOCH, and a fresh tail still behind its read barrier
         * UNAVAILABLE; neither is a read.
         */
        private void checkReads() {
            for (Acked a : lastAcked.values()) {
                List<String> chain = chains.get(partitionOf(a.key()));
                if (chain.isEmpty() || !h.node(chain.get(chain.size() - 1)).alive) {
                    continue;
                }
                String tail = chain.get(chain.size() - 1);
                GetResponse r = h.getReply(h.get(tail, a.key()));
                if (r.getCode() != ErrorCode.OK && r.getCode() != ErrorCode.NOT_FOUND) {
                    continue;
                }
                long version = r.getCode() == ErrorCode.OK ? r.getVersion() : 0;
                if (version < a.version()) {
                    trace("stale read of " + a.key() + " at " + tail);
                    fail("read of " + a.key() + " at tail " + tail + " returned version "
                            + version + " after " + a + " was acknowledged; "
                            + state(chain, partitionOf(a.key())));
                }
            }
        }

        private String state(List<String> chain, int p) {
            StringBuilder b = new StringBuilder();
            for (String s : chain) {
                ChainReplica r = h.replica(s);
                b.append(s).append(" pos=").append(r.position(p)).append(" applied=")
                        .append(r.appliedSeq(p)).append(" committed=").append(r.committedSeq(p))
                        .append(" copying=").append(r.copying(p)).append(" unacked=")
                        .append(r.unackedCount(p)).append(" chainEpoch=").append(r.chainEpoch(p))
                        .append(" epoch=").append(r.epoch()).append("; ");
            }
            return b.toString();
        }

        private String diagnose(int p) {
            List<String> chain = chains.get(p);
            String tail = chain.get(chain.size() - 1);
            String j = joining.get(p);
            String out = "; tail " + tail + " applied " + h.replica(tail).appliedSeq(p)
                    + " copying " + h.replica(tail).copying(p) + " joiningApplied "
                    + h.replica(tail).joiningAppliedSeq(p) + " position "
                    + h.replica(tail).position(p) + " chainEpoch "
                    + h.replica(tail).chainEpoch(p) + " model " + chainEpochs.get(p);
            if (j != null) {
                out += "; joining " + j + " alive " + h.node(j).alive + " applied "
                        + h.replica(j).appliedSeq(p) + " position " + h.replica(j).position(p)
                        + " epoch " + h.replica(j).epoch() + " copies "
                        + h.node(tail).copies.size();
            }
            return out;
        }

        /** Delivers every map and message, reads every chunk and ticks until nothing moves. */
        private void drain() {
            for (String s : new ArrayList<>(dead)) {
                if (random.nextBoolean()) {
                    dead.remove(s);
                    h.epoch++;
                    h.restart(s, map());
                    publish();
                }
            }
            h.copierPaused = false;
            for (int round = 0; round < 300; round++) {
                undeliveredMaps.forEach((s, m) -> h.deliverMap(m, s));
                undeliveredMaps.clear();
                for (String pair : broken) {
                    String[] ft = pair.split(">");
                    if (h.node(ft[0]).alive) {
                        h.step(h.node(ft[0]), new ChainEvent.PeerConnected(ft[1]));
                    }
                }
                broken.clear();
                h.deliverAll();
                for (String s : SERVERS) {
                    if (h.node(s).alive) {
                        h.tick(s);
                    }
                }
                collectReplies();
                metadataDuty();
                checkStep();
            }
            assertTrue(putsInFlight.isEmpty(), "puts never answered: " + putsInFlight.size());
        }

        private void check() {
            long live = SERVERS.stream().filter(s -> h.node(s).alive).count();
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
                assertEquals(Math.min(3, live), chain.size(), "K restored for partition " + p
                        + ": " + chain + " joining " + joining.get(p) + diagnose(p));
                long headApplied = h.replica(chain.get(0)).appliedSeq(p);
                for (String s : chain) {
                    assertEquals(headApplied, h.replica(s).appliedSeq(p), "applied of " + s
                            + " in partition " + p + " chain " + chain);
                    assertEquals(headApplied, h.replica(s).committedSeq(p), "committed of " + s
                            + " in partition " + p + " chain " + chain + ": " + state(chain, p));
                    for (int k = 0; k < KEYS; k++) {
                        String key = "key" + k;
                        if (partitionOf(key) == p) {
                            assertEquals(h.stored(chain.get(0), key), h.stored(s, key),
                                    key + " at " + s + " vs head " + chain.get(0));
                        }
                    }
                }
            }
        }
    }
}
