package org.gtstore.gtctl.admin;

import org.gtstore.gtctl.CommonOptions;
import org.gtstore.gtctl.Connector;
import org.gtstore.gtctl.Gtctl;
import org.gtstore.gtctl.GtctlException;
import org.gtstore.gtctl.cluster.ClusterLauncher;

/** Opening the launcher of {@code --dir} for the commands that manage processes. */
final class ClusterDir {
    private ClusterDir() {
    }

    /** The launcher options for {@code --dir}, reaching the metadata through the connector. */
    static ClusterLauncher.Builder builder(CommonOptions common, Connector connector,
            String command) {
        if (common.hasMeta()) {
            throw new GtctlException("'gtctl cluster " + command + "' manages the processes of a"
                    + " cluster started by gtctl: give --dir D instead of --meta",
                    Gtctl.EXIT_USAGE);
        }
        // Secured when a view is opened: a new cluster's security is known only once the
        // launcher has written its cluster file.
        return ClusterLauncher.builder(common.dir())
                .metadataView(a -> common.secured(connector).openMetadata(a));
    }

    /** The existing cluster of {@code --dir}. */
    static ClusterLauncher open(CommonOptions common, Connector connector, String command) {
        return builder(common, connector, command).open();
    }
}
