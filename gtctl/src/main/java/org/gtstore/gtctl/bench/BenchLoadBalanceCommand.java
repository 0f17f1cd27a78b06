package org.gtstore.gtctl.bench;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.gtstore.bench.loadbalance.GrpcClusterInspector;
import org.gtstore.bench.loadbalance.LoadBalanceBenchmark;
import org.gtstore.bench.loadbalance.LoadBalanceConfig;
import org.gtstore.bench.loadbalance.LoadBalanceResult;
import org.gtstore.bench.report.ResultWriter;
import org.gtstore.bench.report.SummaryTable;
import org.gtstore.bench.report.TextHistogram;
import org.gtstore.bench.rpc.ChannelPool;
import org.gtstore.bench.suite.BenchCluster;
import org.gtstore.bench.target.GtStoreClientTarget;
import org.gtstore.client.GtStoreClient;
import org.gtstore.gtctl.CommonOptions;
import org.gtstore.gtctl.Connector;
import org.gtstore.gtctl.Gtctl;
import org.gtstore.proto.TransportSecurity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gtctl bench loadbalance}: inserts distinct keys into a fresh cluster of 7 data servers
 * with K = 1 (or the running cluster with {@code --use-running}) and shows how many each server
 * heads, as a text histogram with max/mean and min/mean, plus CSV, JSON and a PNG chart. The
 * counting is {@link LoadBalanceBenchmark}'s; this class is options and output.
 */
@Command(name = "loadbalance", description = "Insert N distinct keys and show the keys per"
        + " primary server as a histogram with max/mean and min/mean; write CSV, JSON and a"
        + " PNG chart.")
final class BenchLoadBalanceCommand implements Callable<Integer> {
    private static final Duration INSPECT_TIMEOUT = Duration.ofSeconds(5);

    @Mixin
    private CommonOptions common;

    @Mixin
    private BenchOptions bench;

    @Spec
    private CommandSpec spec;

    @Option(names = "--keys", paramLabel = "N", defaultValue = "100000",
            description = "Distinct keys to insert (default: ${DEFAULT-VALUE}).")
    private int keys;

    @Option(names = "--rep", paramLabel = "K", defaultValue = "1",
            description = "Replication factor of the fresh cluster (default: ${DEFAULT-VALUE}).")
    private int rep;

    private final Connector connector;

    BenchLoadBalanceCommand(Connector connector) {
        this.connector = connector;
    }

    @Override
    public Integer call() throws Exception {
        LoadBalanceConfig config = config();
        common.timeout(); // A bad --timeout-ms is a usage error before anything starts.
        List<String> running = bench.useRunning ? common.metadataAddresses() : List.of();
        // A running cluster is reached as gtctl reaches it; a fresh one is plaintext.
        TransportSecurity security = bench.useRunning ? common.security()
                : TransportSecurity.plaintext();
        Path dir = bench.createResultsDir();
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LoadBalanceResult result;
        try (BenchCluster cluster = bench.cluster(rep, running, connector, err);
                GtStoreClient client = GtStoreClient.builder()
                        .metadataAddresses(cluster.metadataAddresses())
                        .security(security).deadline(common.timeout()).build();
                GrpcClusterInspector inspector = new GrpcClusterInspector(
                        cluster.metadataAddresses(), ChannelPool.secured(security),
                        INSPECT_TIMEOUT)) {
            result = LoadBalanceBenchmark.run(config, new GtStoreClientTarget(client), inspector,
                    bench.progress(err));
        }
        stdout.print(SummaryTable.loadBalance(result, TextHistogram.DEFAULT_WIDTH));
        for (Path file : ResultWriter.writeLoadBalance(dir, result)) {
            stdout.println("wrote " + file);
        }
        stdout.flush();
        if (result.errors() > 0) {
            err.println("error: " + result.errors() + " inserts failed; the counts cover the "
                    + result.keys() + " that succeeded");
            err.flush();
            return Gtctl.EXIT_FAILURE;
        }
        return Gtctl.EXIT_OK;
    }

    private LoadBalanceConfig config() {
        BenchOptions.requireAtLeast("--keys", keys, 1);
        bench.validate(List.of(rep), "--rep");
        return new LoadBalanceConfig(bench.seed, keys, bench.valueBytes, bench.driver());
    }
}
