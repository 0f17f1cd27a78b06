package org.gtstore.bench.loadbalance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.gtstore.bench.driver.DriverSettings;
import org.gtstore.bench.progress.ProgressListener;
import org.gtstore.bench.target.InMemoryKvTarget;
import org.gtstore.bench.workload.KeySpace;
import org.gtstore.proto.PartitionMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LoadBalanceBenchmarkTest {
    private static final int KEYS = 20_000;
    private static final long SEED = 11;

    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final PartitionMap map = TestMaps.roundRobin(1024, 7, 1, 5);
    private final HeadCounter router = new HeadCounter(map);

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    /** A cluster whose servers count exactly the keys the target stored, plus {@code extra}. */
    private final class FakeCluster implements ClusterInspector {
        private final InMemoryKvTarget target;
        private final long extra;
        private final boolean statsFail;

        FakeCluster(InMemoryKvTarget target, long extra, boolean statsFail) {
            this.target = target;
            this.extra = extra;
            this.statsFail = statsFail;
        }

        @Override
        public PartitionMap map() {
            return map;
        }

        @Override
        public Map<String, Long> keysHeaded() {
            if (statsFail) {
                throw new IllegalStateException("GetStats UNIMPLEMENTED");
            }
            KeySpace keys = new KeySpace(SEED, KEYS);
            Map<String, Long> counts = new HashMap<>();
            for (int i = 0; i < KEYS; i++) {
                if (target.contains(keys.key(i))) {
                    counts.merge(router.headOf(keys.key(i)), 1L, Long::sum);
                }
            }
            counts.merge("server1", extra, Long::sum);
            return counts;
        }
    }

    private LoadBalanceResult run(InMemoryKvTarget target, ClusterInspector cluster)
            throws InterruptedException {
        LoadBalanceConfig config = new LoadBalanceConfig(SEED, KEYS, 32,
                new DriverSettings(32, 20, 10_000));
        return LoadBalanceBenchmark.run(config, target, cluster, ProgressListener.NONE);
    }

    private InMemoryKvTarget target(Function<byte[], String> replyHead) {
        return new InMemoryKvTarget(pool, replyHead, key -> false);
    }

    @Test
    void onAFreshClusterTheServersCountIsReportedAndAgreesWithTheMap() throws Exception {
        InMemoryKvTarget target = target(router::headOf);
        LoadBalanceResult r = run(target, new FakeCluster(target, 0, false));
        assertEquals(KEYS, r.keys());
        assertEquals(0, r.errors());
        assertEquals(CountSource.SERVER_STATS, r.source());
        assertEquals(List.of(), r.notes());
        assertEquals(r.byMap(), r.keysPerServer());
        assertEquals(r.byMap(), r.byPutReplies());
        assertEquals(7, r.keysPerServer().size());
        assertEquals(List.of("server1", "server2", "server3", "server4", "server5", "server6",
                "server7"), List.copyOf(r.keysPerServer().keySet()));
        BalanceStats stats = BalanceStats.of(r.keysPerServer());
        assertEquals(stats.maxOverMean(), r.maxOverMean());
        assertEquals(stats.minOverMean(), r.minOverMean());
        assertTrue(r.maxOverMean() >= 1.0 && r.maxOverMean() < 1.1, "max/mean " + r.maxOverMean());
        assertEquals(5, r.mapEpoch());
    }

    @Test
    void aClusterHoldingOtherKeysIsCountedByTheMap() throws Exception {
        InMemoryKvTarget target = target(router::headOf);
        LoadBalanceResult r = run(target, new FakeCluster(target, 500, false));
        assertEquals(CountSource.MAP_ROUTING, r.source());
        assertEquals(r.byMap(), r.keysPerServer());
        assertEquals(1, r.notes().size());
        assertTrue(r.notes().get(0).startsWith("servers head 20,500 keys in all but this run "
                + "wrote 20,000"), r.notes().get(0));
    }

    @Test
    void serversThatCannotBeAskedFallBackToTheMap() throws Exception {
        InMemoryKvTarget target = target(key -> null);
        LoadBalanceResult r = run(target, new FakeCluster(target, 0, true));
        assertEquals(CountSource.MAP_ROUTING, r.source());
        assertEquals(Map.of(), r.byServerStats());
        assertEquals(Map.of(), r.byPutReplies(), "the target named no head");
        assertEquals(List.of("server counts unavailable, counting by the map: "
                + "GetStats UNIMPLEMENTED"), r.notes());
    }

    @Test
    void putRepliesNamingAnotherHeadShowAsDisagreements() throws Exception {
        // Every reply names server1: as if the client's map were not the metadata's.
        InMemoryKvTarget target = target(key -> "server1");
        LoadBalanceResult r = run(target, new FakeCluster(target, 0, false));
        assertEquals(CountSource.SERVER_STATS, r.source());
        assertEquals(7, r.notes().size());
        assertTrue(r.notes().get(0).startsWith("server1: put replies say 20,000 keys, map says"),
                r.notes().get(0));
    }
}
