package org.gtstore.gtctl.admin;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.gtstore.gtctl.CommonOptions;
import org.gtstore.gtctl.Connector;
import org.gtstore.gtctl.Gtctl;
import org.gtstore.gtctl.GtctlException;
import org.gtstore.gtctl.cluster.ClusterLauncher;
import org.gtstore.gtctl.cluster.MetadataView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gtctl cluster add-server [--count N] [--wait]}: starts new data servers for the
 * cluster of {@code --dir}; the metadata leader then moves partitions onto them, a bounded
 * number at a time. With {@code --wait} it returns once the cluster is balanced again.
 */
@Command(name = "add-server", description = "Start new data servers; the cluster moves"
        + " partitions onto them.")
final class ClusterAddServerCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Spec
    private CommandSpec spec;

    @Option(names = "--count", paramLabel = "N", defaultValue = "1",
            description = "How many servers to add (default: ${DEFAULT-VALUE}).")
    private int count;

    @Option(names = "--wait", description = "Return once every move is done and the servers"
            + " hold slots and heads within one of each other.")
    private boolean await;

    @Option(names = "--wait-timeout-s", paramLabel = "S", defaultValue = "600",
            description = "How long --wait waits (default: ${DEFAULT-VALUE}).")
    private long waitTimeoutS;

    private final Connector connector;

    ClusterAddServerCommand(Connector connector) {
        this.connector = connector;
    }

    @Override
    public Integer call() {
        if (count < 1 || count > 64) {
            throw new GtctlException("--count must be in 1..64, got " + count,
                    Gtctl.EXIT_USAGE);
        }
        ClusterLauncher launcher = ClusterDir.open(common, connector, "add-server");
        long start = System.nanoTime();
        List<String> added = launcher.addServers(count, Duration.ofSeconds(60));
        PrintWriter out = spec.commandLine().getOut();
        for (String id : added) {
            out.println(common.json() ? "{\"added\":\"" + id + "\",\"pid\":" + launcher.pid(id)
                    + "}" : "Added " + id + " (pid " + launcher.pid(id) + ")");
        }
        out.flush();
        if (await) {
            try (MetadataView view = common.secured(connector)
                    .openMetadata(launcher.metadataAddresses())) {
                MoveProgress done = MoveProgress.of(MapWait.untilBalanced(view,
                        Duration.ofSeconds(waitTimeoutS), "the cluster to balance"));
                long ms = (System.nanoTime() - start) / 1_000_000;
                out.println(common.json() ? "{\"balancedMs\":" + ms + "}"
                        : "Balanced after " + ms + " ms: " + done.describe());
            }
        } else if (!common.json()) {
            out.println("Partitions move onto " + String.join(", ", added)
                    + " in the background; 'gtctl cluster status' shows the moves");
        }
        out.flush();
        return Gtctl.EXIT_OK;
    }
}
