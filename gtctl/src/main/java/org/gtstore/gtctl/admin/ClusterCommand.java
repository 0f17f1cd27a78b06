package org.gtstore.gtctl.admin;

import picocli.CommandLine.Command;

/** {@code gtctl cluster ...}: start, stop, inspect, grow, shrink and break a cluster. */
@Command(name = "cluster", description = "Start, stop, inspect, grow, shrink and break a"
        + " cluster.",
        subcommands = {
            ClusterStartCommand.class, ClusterStopCommand.class, ClusterStatusCommand.class,
            ClusterStatsCommand.class,
            ClusterKillCommand.class, ClusterRestartCommand.class, ClusterWatchCommand.class,
            ClusterAddServerCommand.class, ClusterDrainCommand.class, ClusterRemoveCommand.class,
            ClusterRollingRestartCommand.class, ClusterMetaCommand.class,
            ClusterCertsCommand.class})
public final class ClusterCommand {
}
