package org.gtstore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gtstore.bench.driver.BenchmarkException;
import org.gtstore.bench.driver.DriverSettings;
import org.gtstore.bench.progress.Progress;
import org.gtstore.bench.report.ThroughputRow;
import org.gtstore.bench.suite.ThroughputSuite;
import org.gtstore.bench.throughput.ThroughputConfig;
import org.gtstore.bench.workload.WorkloadConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ThroughputSuiteTest {
    private static final ThroughputConfig SMALL = new ThroughputConfig(
            WorkloadConfig.builder().opCount(500).keyCount(200).build(),
            new DriverSettings(8, 50, 20_000), true);

    private final List<LoopbackCluster> started = new ArrayList<>();

    @AfterEach
    void stopAll() {
        started.forEach(LoopbackCluster::close);
    }

    private LoopbackCluster start(int rep) throws Exception {
        LoopbackCluster c = new LoopbackCluster(5, rep);
        started.add(c);
        return c;
    }

    @Test
    void runsOnAFreshClusterPerKAndStopsEachOneAfterItsRun() throws Exception {
        List<String> finishedPhases = new ArrayList<>();
        List<ThroughputRow> rows = ThroughputSuite.run(List.of(1, 3, 5), SMALL, this::start,
                LoopbackCluster::client, (Progress p) -> {
                    if (p.finished()) {
                        finishedPhases.add(p.phase());
                    }
                });
        assertEquals(List.of(1, 3, 5), rows.stream().map(ThroughputRow::rep).toList());
        rows.forEach(r -> assertEquals(0, r.result().errors()));
        assertEquals(3, started.size());
        assertTrue(started.stream().allMatch(LoopbackCluster::isClosed));
        assertEquals(List.of("preload", "K=1", "preload", "K=3", "preload", "K=5"),
                finishedPhases);
    }

    @Test
    void aRunningClusterIsMeasuredAtItsOwnK() throws Exception {
        LoopbackCluster running = start(2);
        List<ThroughputRow> rows = ThroughputSuite.run(List.of(0), SMALL,
                rep -> running, LoopbackCluster::client, p -> { });
        assertEquals(2, rows.get(0).rep());
    }

    @Test
    void aClusterWithAnotherKFailsTheRunInsteadOfMislabellingIt() throws Exception {
        LoopbackCluster wrong = start(1);
        BenchmarkException e = assertThrows(BenchmarkException.class,
                () -> ThroughputSuite.run(List.of(3), SMALL, rep -> wrong,
                        LoopbackCluster::client, p -> { }));
        assertEquals("asked for a cluster with K=3 but its map says K=1", e.getMessage());
        assertTrue(wrong.isClosed(), "the suite closes the cluster it was given");
    }
}
