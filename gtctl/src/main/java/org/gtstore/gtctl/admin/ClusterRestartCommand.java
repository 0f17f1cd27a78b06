package org.gtstore.gtctl.admin;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.gtstore.gtctl.CommonOptions;
import org.gtstore.gtctl.Connector;
import org.gtstore.gtctl.Gtctl;
import org.gtstore.gtctl.GtctlException;
import org.gtstore.gtctl.cluster.ClusterLauncher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gtctl cluster restart ID}: starts a member that is not running again, with its old
 * address and data directory, and waits until it is back.
 */
@Command(name = "restart", description = "Start a stopped or killed member again with its data.")
final class ClusterRestartCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "server1..serverN or meta1..meta3.")
    private String id;

    @Option(names = "--ready-timeout-ms", paramLabel = "MS", defaultValue = "30000",
            description = "How long to wait until it is back (default: ${DEFAULT-VALUE}).")
    private long readyTimeoutMs;

    private final Connector connector;

    ClusterRestartCommand(Connector connector) {
        this.connector = connector;
    }

    @Override
    public Integer call() {
        if (readyTimeoutMs <= 0) {
            throw new GtctlException("--ready-timeout-ms must be positive, got "
                    + readyTimeoutMs, Gtctl.EXIT_USAGE);
        }
        ClusterLauncher launcher = ClusterDir.open(common, connector, "restart");
        launcher.restart(id, Duration.ofMillis(readyTimeoutMs));
        long pid = launcher.pid(id);
        spec.commandLine().getOut().println(common.json()
                ? "{\"restarted\":\"" + id + "\",\"pid\":" + pid + "}"
                : "Restarted " + id + " (pid " + pid + ")");
        spec.commandLine().getOut().flush();
        return Gtctl.EXIT_OK;
    }
}
