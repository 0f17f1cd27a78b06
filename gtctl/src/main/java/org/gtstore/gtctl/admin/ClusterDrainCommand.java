package org.gtstore.gtctl.admin;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.gtstore.gtctl.CommonOptions;
import org.gtstore.gtctl.Connector;
import org.gtstore.gtctl.Gtctl;
import org.gtstore.gtctl.GtctlException;
import org.gtstore.gtctl.cluster.MetadataView;
import org.gtstore.proto.AdminResponse;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.PartitionMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gtctl cluster drain serverX [--wait] [--cancel]}: the metadata leader moves every
 * position off serverX (a copy to another server first, so every chain keeps K replicas) and
 * gives it no new one; with {@code --wait} it returns once serverX holds nothing and says it
 * can be stopped.
 */
@Command(name = "drain", description = "Move every partition off a data server, keeping K"
        + " replicas at every moment.")
final class ClusterDrainCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "The data server, e.g. server3.")
    private String id;

    @Option(names = "--cancel", description = "Stop draining: the server takes positions again.")
    private boolean cancel;

    @Option(names = "--wait", description = "Return once the server holds no partition.")
    private boolean await;

    @Option(names = "--wait-timeout-s", paramLabel = "S", defaultValue = "600",
            description = "How long --wait waits (default: ${DEFAULT-VALUE}).")
    private long waitTimeoutS;

    private final Connector connector;

    ClusterDrainCommand(Connector connector) {
        this.connector = connector;
    }

    @Override
    public Integer call() {
        List<String> addresses = common.metadataAddresses();
        PrintWriter out = spec.commandLine().getOut();
        try (MetadataView view = common.secured(connector).openMetadata(addresses)) {
            PartitionMap map = view.map();
            int before = MoveProgress.positionsOf(map, id);
            boolean already = !cancel && map.getServersList().stream()
                    .anyMatch(s -> s.getId().equals(id) && s.getDraining());
            if (!already) {
                AdminResponse r = view.drain(id, cancel);
                if (r.getCode() != ErrorCode.OK) {
                    throw new GtctlException("cannot " + (cancel ? "cancel the drain of "
                            : "drain ") + id + ": " + r.getCode() + ": " + r.getMessage());
                }
            }
            if (cancel) {
                out.println(common.json() ? "{\"undrained\":\"" + id + "\"}"
                        : id + " is no longer draining");
                out.flush();
                return Gtctl.EXIT_OK;
            }
            out.println(common.json() ? "{\"draining\":\"" + id + "\",\"positions\":" + before
                    + "}" : (already ? id + " is already draining: its " : "Draining " + id
                    + ": its ") + before + " positions move to other servers, K replicas kept"
                    + " at every moment");
            out.flush();
            if (await) {
                long start = System.nanoTime();
                MapWait.until(view, Duration.ofSeconds(waitTimeoutS), id + " to be drained",
                        m -> MoveProgress.positionsOf(m, id) == 0,
                        m -> id + " still holds " + MoveProgress.positionsOf(m, id)
                                + " positions; " + MoveProgress.of(m).describe());
                long ms = (System.nanoTime() - start) / 1_000_000;
                boolean local = common.startedServer(id);
                out.println(common.json() ? "{\"drained\":\"" + id + "\",\"ms\":" + ms + "}"
                        : id + " is drained after " + ms + " ms: it holds no partition and can"
                        + " be stopped (" + (local ? "'gtctl cluster remove " + id
                        + "' stops and forgets it)" : "stop its process, then 'gtctl cluster"
                        + " remove " + id + "' forgets it)"));
            }
        }
        out.flush();
        return Gtctl.EXIT_OK;
    }
}
