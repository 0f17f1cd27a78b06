package org.gtstore.gtctl.admin;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.gtstore.gtctl.CommonOptions;
import org.gtstore.gtctl.Connector;
import org.gtstore.gtctl.Gtctl;
import org.gtstore.gtctl.cluster.ClusterLauncher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code gtctl cluster stop}: stops every member it started; the data stays on disk. */
@Command(name = "stop", description = "Stop every member of the cluster; the data stays on disk.")
final class ClusterStopCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Spec
    private CommandSpec spec;

    private final Connector connector;

    ClusterStopCommand(Connector connector) {
        this.connector = connector;
    }

    @Override
    public Integer call() {
        ClusterLauncher launcher = ClusterDir.open(common, connector, "stop");
        List<String> stopped = launcher.stop();
        PrintWriter out = spec.commandLine().getOut();
        if (common.json()) {
            out.println("{\"stopped\":[" + String.join(",",
                    stopped.stream().map(s -> "\"" + s + "\"").toList()) + "]}");
        } else if (stopped.isEmpty()) {
            out.println("Nothing was running in " + launcher.dir());
        } else {
            out.println("Stopped " + String.join(", ", stopped) + "; the data stays in "
                    + launcher.dir());
        }
        out.flush();
        return Gtctl.EXIT_OK;
    }
}
