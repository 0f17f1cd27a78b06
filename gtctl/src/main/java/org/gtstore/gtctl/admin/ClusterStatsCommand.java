package org.gtstore.gtctl.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.gtstore.gtctl.CommonOptions;
import org.gtstore.gtctl.Connector;
import org.gtstore.gtctl.Gtctl;
import org.gtstore.gtctl.GtctlException;
import org.gtstore.gtctl.cluster.MetadataView;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;
import org.gtstore.proto.StatsResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gtctl cluster stats [--interval-ms N] [--watch] [--json]}: per data server, requests
 * per second over the interval, the 99th percentile of its driver passes, its live keys and
 * its largest lag behind its chains ({@link ClusterStats}), from two GetStats calls per server
 * an interval apart. {@code --watch} repeats until interrupted.
 */
@Command(name = "stats", description = "Show per data server ops/s, the p99 of its passes,"
        + " its keys and its lag behind its chains, measured over an interval.")
final class ClusterStatsCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

    @Mixin
    private CommonOptions common;

    @Spec
    private CommandSpec spec;

    @Option(names = "--interval-ms", paramLabel = "MS", defaultValue = "1000",
            description = "The interval the rates are measured over (default: ${DEFAULT-VALUE}).")
    private long intervalMs;

    @Option(names = "--watch", description = "Measure again and again until interrupted.")
    private boolean watch;

    private final Connector connector;

    ClusterStatsCommand(Connector connector) {
        this.connector = connector;
    }

    @Override
    public Integer call() throws Exception {
        if (intervalMs < 100 || intervalMs > 600_000) {
            throw new GtctlException("--interval-ms must be between 100 and 600000, got "
                    + intervalMs, Gtctl.EXIT_USAGE);
        }
        Connector secured = common.secured(connector);
        PrintWriter out = spec.commandLine().getOut();
        try (MetadataView view = secured.openMetadata(common.metadataAddresses())) {
            do {
                ClusterStats stats = measure(view, secured);
                out.print(common.json() ? JSON.writeValueAsString(stats) + "\n" : stats.table());
                out.flush();
            } while (watch && !Thread.currentThread().isInterrupted());
        }
        return Gtctl.EXIT_OK;
    }

    private ClusterStats measure(MetadataView view, Connector secured)
            throws InterruptedException {
        PartitionMap map = view.map();
        long start = System.nanoTime();
        Map<String, StatsResponse> first = sample(map, secured, true);
        long waited = System.nanoTime() - start;
        Thread.sleep(Math.max(0, intervalMs - waited / 1_000_000));
        Map<String, StatsResponse> second = sample(map, secured, false);
        return ClusterStats.of(map, first, second, System.nanoTime() - start);
    }

    /** Every server's stats that answers; the others are left out. */
    private static Map<String, StatsResponse> sample(PartitionMap map, Connector secured,
            boolean countsOnly) {
        Map<String, StatsResponse> out = new HashMap<>();
        for (ServerInfo s : map.getServersList()) {
            if (s.getState() == ServerState.DEAD) {
                continue;
            }
            try {
                out.put(s.getId(), secured.serverStats(s.getAddress(), countsOnly,
                        CALL_TIMEOUT));
            } catch (RuntimeException e) {
                // Shown as "no answer".
            }
        }
        return out;
    }
}
