package org.gtstore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gtstore.bench.cost.ClusterProbe;
import org.gtstore.bench.cost.CostMeter;
import org.gtstore.bench.driver.DriverSettings;
import org.gtstore.bench.loadbalance.CountSource;
import org.gtstore.bench.loadbalance.GrpcClusterInspector;
import org.gtstore.bench.loadbalance.LoadBalanceBenchmark;
import org.gtstore.bench.loadbalance.LoadBalanceConfig;
import org.gtstore.bench.loadbalance.LoadBalanceResult;
import org.gtstore.bench.progress.ProgressListener;
import org.gtstore.bench.report.ResultWriter;
import org.gtstore.bench.report.ThroughputRow;
import org.gtstore.bench.target.GtStoreClientTarget;
import org.gtstore.bench.throughput.ThroughputBenchmark;
import org.gtstore.bench.throughput.ThroughputConfig;
import org.gtstore.bench.throughput.ThroughputResult;
import org.gtstore.bench.workload.WorkloadConfig;
import org.gtstore.client.GtStoreClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both benchmarks through the real {@link GtStoreClient} over loopback gRPC against a
 * {@link LoopbackCluster}: the wiring the gtctl commands use (client adapter, cluster inspector,
 * writers), end to end, without a cluster of processes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoopbackClusterTest {
    private LoopbackCluster cluster;

    @TempDir
    Path out;

    @BeforeEach
    void start() throws Exception {
        cluster = new LoopbackCluster(3, 1);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void throughputRunsThroughTheClientAndWritesItsFiles() throws Exception {
        ThroughputConfig config = new ThroughputConfig(WorkloadConfig.builder().opCount(2_000)
                .keyCount(500).build(), new DriverSettings(16, 50, 20_000), true);
        ThroughputResult result;
        try (GtStoreClient client = LoopbackCluster.client(
                cluster.metadataAddresses())) {
            result = ThroughputBenchmark.run(config, new GtStoreClientTarget(client), "K=1",
                    ProgressListener.NONE, CostMeter.open(ClusterProbe.NONE));
        }
        assertEquals(0, result.errors(), "errors: " + result.errorSamples());
        assertEquals(0, result.getMisses());
        assertEquals(2_000, result.get().count() + result.put().count());
        assertEquals(500, cluster.store.size());
        List<Path> files = ResultWriter.writeThroughput(out, List.of(new ThroughputRow(1, result)),
                "loopback");
        for (Path f : files) {
            assertTrue(Files.size(f) > 0, f + " is empty");
        }
    }

    @Test
    void loadBalanceCountsByTheServersAndAgreesWithTheMapAndReplies() throws Exception {
        LoadBalanceConfig config = new LoadBalanceConfig(5, 2_000, 32,
                new DriverSettings(16, 50, 20_000));
        LoadBalanceResult result;
        try (GtStoreClient client = LoopbackCluster.client(
                cluster.metadataAddresses());
                GrpcClusterInspector inspector = new GrpcClusterInspector(
                        cluster.metadataAddresses(), Duration.ofSeconds(5))) {
            result = LoadBalanceBenchmark.run(config, new GtStoreClientTarget(client), inspector,
                    ProgressListener.NONE);
        }
        assertEquals(2_000, result.keys());
        assertEquals(0, result.errors());
        assertEquals(CountSource.SERVER_STATS, result.source());
        assertEquals(List.of(), result.notes());
        assertEquals(result.byMap(), result.byPutReplies());
        assertEquals(List.of("server1", "server2", "server3"),
                List.copyOf(result.keysPerServer().keySet()));
        assertEquals(3, ResultWriter.writeLoadBalance(out, result).size());
    }
}
