package org.gtstore.gtctl.admin;

import java.util.concurrent.Callable;
import org.gtstore.gtctl.CommonOptions;
import org.gtstore.gtctl.Connector;
import org.gtstore.gtctl.Gtctl;
import org.gtstore.gtctl.cluster.ClusterLauncher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gtctl cluster kill ID}: SIGKILL to one member, exactly like {@code kill -9 <pid>}. */
@Command(name = "kill", description = "Send SIGKILL to one member (serverX or metaX).")
final class ClusterKillCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "server1..serverN or meta1..meta3.")
    private String id;

    private final Connector connector;

    ClusterKillCommand(Connector connector) {
        this.connector = connector;
    }

    @Override
    public Integer call() {
        ClusterLauncher launcher = ClusterDir.open(common, connector, "kill");
        long pid = launcher.pid(id);
        launcher.kill(id);
        spec.commandLine().getOut().println(common.json()
                ? "{\"killed\":\"" + id + "\",\"pid\":" + pid + "}"
                : "Killed " + id + " (pid " + pid + ")");
        spec.commandLine().getOut().flush();
        return Gtctl.EXIT_OK;
    }
}
