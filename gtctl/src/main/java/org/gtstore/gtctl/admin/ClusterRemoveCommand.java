package org.gtstore.gtctl.admin;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.gtstore.gtctl.CommonOptions;
import org.gtstore.gtctl.Connector;
import org.gtstore.gtctl.Gtctl;
import org.gtstore.gtctl.GtctlException;
import org.gtstore.gtctl.cluster.ClusterLauncher;
import org.gtstore.gtctl.cluster.MetadataView;
import org.gtstore.proto.AdminResponse;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gtctl cluster remove serverX}: forgets a dead data server, or a drained one, which
 * for a cluster of {@code --dir} it first stops. A live server that still holds positions is
 * refused: drain it first.
 */
@Command(name = "remove", description = "Forget a dead or drained data server (a drained one"
        + " of --dir is stopped first).")
final class ClusterRemoveCommand implements Callable<Integer> {
    private static final Duration DEAD_WAIT = Duration.ofSeconds(30);

    @Mixin
    private CommonOptions common;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "The data server, e.g. server3.")
    private String id;

    private final Connector connector;

    ClusterRemoveCommand(Connector connector) {
        this.connector = connector;
    }

    @Override
    public Integer call() {
        Optional<ClusterLauncher> local = common.startedServer(id)
                ? Optional.of(ClusterDir.open(common, connector, "remove")) : Optional.empty();
        try (MetadataView view = common.secured(connector)
                .openMetadata(common.metadataAddresses())) {
            PartitionMap map = view.map();
            ServerInfo s = map.getServersList().stream().filter(x -> x.getId().equals(id))
                    .findFirst().orElseThrow(() -> new GtctlException("unknown server " + id
                            + ": the map has " + map.getServersCount() + " servers"));
            if (s.getState() != ServerState.DEAD) {
                int positions = MoveProgress.positionsOf(map, id);
                if (!s.getDraining() || positions > 0) {
                    throw new GtctlException(id + " is live and holds " + positions
                            + " positions: drain it first ('gtctl cluster drain " + id
                            + " --wait'), then remove it");
                }
                if (local.isEmpty()) {
                    throw new GtctlException(id + " is drained but still running: stop it,"
                            + " then remove it");
                }
                // On the way out it asks the leader to declare it gone (Leave); without an
                // answer the leader finds it gone within its failure timeout.
                local.get().stopAndForget(id);
                MapWait.until(view, DEAD_WAIT, id + " to be declared dead",
                        m -> m.getServersList().stream().anyMatch(x -> x.getId().equals(id)
                                && x.getState() == ServerState.DEAD), m -> "not yet");
            }
            AdminResponse r = view.removeServer(id);
            if (r.getCode() != ErrorCode.OK) {
                throw new GtctlException("cannot remove " + id + ": " + r.getCode() + ": "
                        + r.getMessage());
            }
            local.ifPresent(l -> {
                if (l.cluster().server(id).isPresent()) {
                    l.stopAndForget(id);
                }
            });
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(common.json() ? "{\"removed\":\"" + id + "\"}" : "Removed " + id);
        out.flush();
        return Gtctl.EXIT_OK;
    }
}
