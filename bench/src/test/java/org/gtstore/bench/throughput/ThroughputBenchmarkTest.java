package org.gtstore.bench.throughput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.gtstore.bench.cost.ClusterProbe;
import org.gtstore.bench.cost.CostMeter;
import org.gtstore.bench.cost.ProcessKind;
import org.gtstore.bench.driver.BenchmarkException;
import org.gtstore.bench.driver.DriverSettings;
import org.gtstore.bench.progress.Progress;
import org.gtstore.bench.progress.ProgressListener;
import org.gtstore.bench.target.InMemoryKvTarget;
import org.gtstore.bench.workload.KeySpace;
import org.gtstore.bench.workload.WorkloadConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ThroughputBenchmarkTest {
    /** Only this JVM: there is no cluster process here. */
    private static final CostMeter METER = CostMeter.open(ClusterProbe.NONE);

    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    private static ThroughputConfig config(int ops, int keys, boolean preload) {
        return new ThroughputConfig(
                WorkloadConfig.builder().seed(7).opCount(ops).keyCount(keys).build(),
                new DriverSettings(16, 20, 10_000), preload);
    }

    @Test
    void preloadedRunFindsEveryKeyAndRecordsEveryOperation() throws Exception {
        InMemoryKvTarget target = new InMemoryKvTarget(pool);
        List<Progress> finished = new CopyOnWriteArrayList<>();
        ProgressListener listener = p -> {
            if (p.finished()) {
                finished.add(p);
            }
        };
        ThroughputResult r = ThroughputBenchmark.run(config(20_000, 2_000, true), target, "K=1",
                listener, METER);
        assertEquals(2_000, target.size(), "the preload wrote every key");
        assertEquals(20_000, r.ops());
        assertEquals(0, r.errors());
        assertEquals(0, r.getMisses());
        assertEquals(20_000, r.get().count() + r.put().count());
        assertEquals(50.0, 100.0 * r.get().count() / r.ops(), 2.0);
        assertTrue(r.opsPerSec() > 0);
        assertEquals(List.of("preload", "K=1"), finished.stream().map(Progress::phase).toList());
        assertEquals(2_000, finished.get(0).total(), "the preload is not counted in the ops");
        assertEquals(20_000, finished.get(1).total());
    }

    @Test
    void warmsUpInWindowsUntilStableOrCappedThenMeasuresWithItsCost() throws Exception {
        // Goal: the warm-up is one "warmup" phase between the preload and the measured phase,
        // it ends within its caps and says how, and the measured phase carries its CPU cost.
        InMemoryKvTarget target = new InMemoryKvTarget(pool);
        WarmupConfig warmup = new WarmupConfig(5_000, 200_000, 10_000, 50, 50, 3, 100);
        ThroughputConfig c = new ThroughputConfig(
                WorkloadConfig.builder().seed(7).opCount(20_000).keyCount(1_000).build(),
                new DriverSettings(16, 20, 10_000), true, warmup);
        List<Progress> finished = new CopyOnWriteArrayList<>();
        ThroughputResult r = ThroughputBenchmark.run(c, target, "K=1", p -> {
            if (p.finished()) {
                finished.add(p);
            }
        }, METER);
        assertEquals(List.of("preload", "warmup", "K=1"),
                finished.stream().map(Progress::phase).toList());
        WarmupResult w = r.warmup();
        assertTrue(w.ending() == StabilityRule.Ending.STABLE
                || w.ending() == StabilityRule.Ending.OPS_CAP
                || w.ending() == StabilityRule.Ending.TIME_CAP, w.describe());
        assertTrue(w.ops() >= 5_000 && w.ops() <= 200_000, w.describe());
        assertEquals(w.ops(), finished.get(1).completed());
        assertTrue(w.windows() >= 3 || w.ending() != StabilityRule.Ending.STABLE, w.describe());
        assertEquals(20_000, r.ops());
        assertEquals(20_000, r.cost().ops());
        if (!METER.processes().isEmpty()) {
            assertTrue(r.cost().cpuUsPerOp() > 0, r.cost().toString());
            assertEquals(r.cost().cpuUsPerOp(), r.cost().cpuUsPerOp(ProcessKind.CLIENT), 1e-9);
        }
    }

    @Test
    void casUpdatesAreTheirOwnShareWithTheirOwnLatenciesAndConflictsAreNotErrors()
            throws Exception {
        InMemoryKvTarget target = new InMemoryKvTarget(pool);
        ThroughputConfig c = new ThroughputConfig(WorkloadConfig.builder().seed(7)
                .opCount(20_000).keyCount(50).getPercent(50).casPercent(10).build(),
                new DriverSettings(16, 20, 10_000), true);
        ThroughputResult r = ThroughputBenchmark.run(c, target, "K=1", ProgressListener.NONE,
                METER);
        assertEquals(0, r.errors());
        assertEquals(20_000, r.get().count() + r.put().count() + r.cas().count());
        assertEquals(10.0, 100.0 * r.cas().count() / r.ops(), 1.5);
        // The target lets every other CAS of a key lose.
        assertEquals(r.cas().count() / 2.0, r.casConflicts(), r.cas().count() * 0.1);
    }

    @Test
    void withoutPreloadGetsOfUnwrittenKeysAreMissesNotErrors() throws Exception {
        InMemoryKvTarget target = new InMemoryKvTarget(Runnable::run);
        ThroughputResult r = ThroughputBenchmark.run(config(2_000, 100_000, false), target, "K=1",
                ProgressListener.NONE, METER);
        assertEquals(0, r.errors());
        // With 100,000 keys and about 1,000 puts, a GET finds a written key only by chance.
        assertTrue(r.getMisses() > 900 && r.getMisses() <= r.get().count(),
                "misses " + r.getMisses() + " of " + r.get().count() + " GETs");
    }

    @Test
    void failedPutsAreCountedSampledAndLeftOutOfTheHistograms() throws Exception {
        KeySpace keys = new KeySpace(7, 1_000);
        byte[] poisoned = keys.key(13);
        InMemoryKvTarget target = new InMemoryKvTarget(pool, key -> "server1",
                key -> Arrays.equals(key, poisoned));
        ThroughputResult r = ThroughputBenchmark.run(config(50_000, 1_000, false), target, "K=3",
                ProgressListener.NONE, METER);
        assertTrue(r.errors() > 0, "some puts hit key 13");
        assertEquals(r.ops() - r.errors(), r.get().count() + r.put().count());
        assertEquals(List.of("IllegalStateException: injected put failure"), r.errorSamples());
    }

    @Test
    void aFailedPreloadStopsTheRun() {
        InMemoryKvTarget target = new InMemoryKvTarget(pool, key -> "server1", key -> true);
        BenchmarkException e = assertThrows(BenchmarkException.class,
                () -> ThroughputBenchmark.run(config(100, 50, true), target, "K=1",
                        ProgressListener.NONE, METER));
        assertTrue(e.getMessage().startsWith("preload: 50 of 50 writes failed"), e.getMessage());
    }
}
