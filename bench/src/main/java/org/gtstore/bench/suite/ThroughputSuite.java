package org.gtstore.bench.suite;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.gtstore.bench.cost.ClusterProbe;
import org.gtstore.bench.cost.CostMeter;
import org.gtstore.bench.cost.GrpcClusterProbe;
import org.gtstore.bench.driver.BenchmarkException;
import org.gtstore.bench.progress.ProgressListener;
import org.gtstore.bench.report.ThroughputRow;
import org.gtstore.bench.target.GtStoreClientTarget;
import org.gtstore.bench.throughput.ThroughputBenchmark;
import org.gtstore.bench.throughput.ThroughputConfig;
import org.gtstore.bench.throughput.ThroughputResult;
import org.gtstore.client.GtStoreClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code gtctl bench throughput} without the command line: for each replication factor K, get a
 * cluster, open a client, run {@link ThroughputBenchmark} with a {@link CostMeter} of the
 * client and the cluster's processes (each reports its pid over the wire), close both, and
 * collect one row per K.
 *
 * <p>The row's K is the one the cluster's map reports, not the one asked for: with
 * {@code --use-running} the suite measures whatever K the cluster has, and with fresh clusters a
 * launcher that started the wrong K fails the run instead of mislabelling a bar.
 */
public final class ThroughputSuite {
    private static final Logger LOG = LoggerFactory.getLogger(ThroughputSuite.class);
    private static final Duration PROBE_RPC_TIMEOUT = Duration.ofSeconds(5);

    private ThroughputSuite() {
    }

    /**
     * Runs the benchmark once per entry of {@code replications}; 0 stands for "whatever the
     * provided cluster has" (a running cluster). {@code clients} opens a client for a cluster's
     * metadata addresses; the suite closes it after the run, then the cluster.
     *
     * @throws BenchmarkException if a cluster's K is not the one asked for, or a run fails
     */
    public static List<ThroughputRow> run(List<Integer> replications, ThroughputConfig config,
            ClusterProvider clusters, Function<List<String>, GtStoreClient> clients,
            ProgressListener listener) throws Exception {
        List<ThroughputRow> rows = new ArrayList<>();
        for (int requested : replications) {
            if (requested < 0) {
                throw new IllegalArgumentException("replication < 0: " + requested);
            }
            try (BenchCluster cluster = clusters.start(requested);
                    GtStoreClient client = clients.apply(cluster.metadataAddresses())) {
                int rep = client.clusterInfo().replication();
                if (requested != 0 && rep != requested) {
                    throw new BenchmarkException("asked for a cluster with K=" + requested
                            + " but its map says K=" + rep);
                }
                LOG.info("throughput: K={} at {}", rep, cluster.metadataAddresses());
                try (ClusterProbe probe = new GrpcClusterProbe(cluster.metadataAddresses(),
                        PROBE_RPC_TIMEOUT)) {
                    ThroughputResult result = ThroughputBenchmark.run(config,
                            new GtStoreClientTarget(client), "K=" + rep, listener,
                            CostMeter.open(probe));
                    rows.add(new ThroughputRow(rep, result));
                }
            }
        }
        return rows;
    }
}
