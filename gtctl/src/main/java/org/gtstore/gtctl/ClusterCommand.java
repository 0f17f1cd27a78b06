package org.gtstore.gtctl;

import picocli.CommandLine.Command;

/** {@code gtctl cluster ...}: start, stop, inspect and break a one-machine cluster. */
@Command(name = "cluster", description = "Start, stop, inspect and break a local cluster.",
        subcommands = {
            ClusterStartCommand.class, ClusterStopCommand.class, ClusterStatusCommand.class,
            ClusterKillCommand.class, ClusterRestartCommand.class, ClusterWatchCommand.class})
final class ClusterCommand {
}
