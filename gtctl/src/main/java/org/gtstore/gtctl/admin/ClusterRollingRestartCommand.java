package org.gtstore.gtctl.admin;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.gtstore.gtctl.CommonOptions;
import org.gtstore.gtctl.Connector;
import org.gtstore.gtctl.Gtctl;
import org.gtstore.gtctl.cluster.ClusterFile;
import org.gtstore.gtctl.cluster.ClusterLauncher;
import org.gtstore.gtctl.cluster.MetadataView;
import org.gtstore.proto.MemberStatus;
import org.gtstore.proto.PartitionMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gtctl cluster rolling-restart}: restarts every member of the cluster of {@code --dir},
 * one at a time, each with a graceful stop. A data server leaves on the way out (its chains
 * close up at once) and the next one goes only once the cluster is whole and balanced again;
 * the metadata followers go first and the leader last, each only once the one before it is
 * back and has applied the leader's map, so a majority is up at every moment.
 */
@Command(name = "rolling-restart", description = "Restart every member, one at a time, keeping"
        + " K replicas and a metadata majority.")
final class ClusterRollingRestartCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Spec
    private CommandSpec spec;

    @Option(names = "--wait-timeout-s", paramLabel = "S", defaultValue = "600",
            description = "How long to wait for each member (default: ${DEFAULT-VALUE}).")
    private long waitTimeoutS;

    private final Connector connector;

    ClusterRollingRestartCommand(Connector connector) {
        this.connector = connector;
    }

    @Override
    public Integer call() {
        ClusterLauncher launcher = ClusterDir.open(common, connector, "rolling-restart");
        Duration wait = Duration.ofSeconds(waitTimeoutS);
        PrintWriter out = spec.commandLine().getOut();
        try (MetadataView view = common.secured(connector)
                .openMetadata(launcher.metadataAddresses())) {
            MapWait.untilBalanced(view, wait, "the cluster to be whole before the first restart");
            for (String id : launcher.serverIds()) {
                long start = System.nanoTime();
                launcher.stopGracefully(id);
                launcher.restart(id, wait);
                MapWait.untilBalanced(view, wait, "the cluster to be whole after restarting " + id);
                print(out, id, launcher.pid(id), start);
            }
            for (String id : metadataOrder(launcher, view)) {
                long start = System.nanoTime();
                launcher.stopGracefully(id);
                launcher.restart(id, wait);
                String address = launcher.cluster().metadataMember(id).orElseThrow()
                        .rpcAddress();
                MapWait.until(view, wait, id + " to catch up", m -> caughtUp(view, address, m),
                        m -> id + " has not applied map epoch " + m.getEpoch() + " yet");
                print(out, id, launcher.pid(id), start);
            }
        }
        out.flush();
        return Gtctl.EXIT_OK;
    }

    private void print(PrintWriter out, String id, long pid, long startNanos) {
        long ms = (System.nanoTime() - startNanos) / 1_000_000;
        out.println(common.json() ? "{\"restarted\":\"" + id + "\",\"pid\":" + pid + ",\"ms\":"
                + ms + "}" : "Restarted " + id + " (pid " + pid + ") in " + ms + " ms");
        out.flush();
    }

    /** Followers first, the leader last: a leader restarts once, after handing over. */
    private static List<String> metadataOrder(ClusterLauncher launcher, MetadataView view) {
        List<String> order = new ArrayList<>();
        String leader = null;
        for (ClusterFile.MetadataMember m : launcher.cluster().metadata()) {
            Optional<MemberStatus> s = view.memberStatus(m.rpcAddress());
            if (s.isPresent() && "LEADER".equals(s.get().getRole())) {
                leader = m.id();
            } else {
                order.add(m.id());
            }
        }
        if (leader != null) {
            order.add(leader);
        }
        return order;
    }

    /** The member answers, follows or leads, and has applied at least the leader's map. */
    private static boolean caughtUp(MetadataView view, String address, PartitionMap leaderMap) {
        Optional<MemberStatus> s = view.memberStatus(address);
        return s.isPresent() && ("FOLLOWER".equals(s.get().getRole())
                || "LEADER".equals(s.get().getRole()))
                && s.get().getMapEpoch() >= leaderMap.getEpoch();
    }
}
