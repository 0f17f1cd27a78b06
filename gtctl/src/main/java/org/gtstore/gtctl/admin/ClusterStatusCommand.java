package org.gtstore.gtctl.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.gtstore.gtctl.CommonOptions;
import org.gtstore.gtctl.Connector;
import org.gtstore.gtctl.Gtctl;
import org.gtstore.gtctl.GtctlException;
import org.gtstore.gtctl.cluster.ClusterFile;
import org.gtstore.gtctl.cluster.ClusterLauncher;
import org.gtstore.gtctl.cluster.MetadataView;
import org.gtstore.proto.ClusterConfigFile;
import org.gtstore.proto.MemberStatus;
import org.gtstore.proto.PartitionMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code gtctl cluster status}: every metadata member (role and term as it sees itself, DOWN if
 * it does not answer), every data server (state, pid, chains it heads and holds), the map epoch
 * and the partitions with fewer than K live replicas. {@code --json} prints {@link StatusReport}.
 */
@Command(name = "status", description = "Show the metadata members, the data servers and the"
        + " partitions with fewer than K live replicas.")
final class ClusterStatusCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    private CommonOptions common;

    @Spec
    private CommandSpec spec;

    private final Connector connector;

    ClusterStatusCommand(Connector connector) {
        this.connector = connector;
    }

    @Override
    public Integer call() throws JsonProcessingException {
        List<String> addresses = common.metadataAddresses();
        Optional<ClusterFile> file = common.hasMeta() ? Optional.empty() : common.clusterFile();
        Map<String, Long> serverPids = new LinkedHashMap<>();
        file.ifPresent(f -> {
            ClusterLauncher launcher = ClusterLauncher.builder(common.dir())
                    .metadataView(common.secured(connector)::openMetadata).open();
            f.servers().forEach(s -> serverPids.put(s.id(),
                    launcher.isRunning(s.id()) ? s.pid() : 0L));
        });
        try (MetadataView view = common.secured(connector).openMetadata(addresses)) {
            List<StatusReport.MemberObservation> members = observe(view, addresses, file);
            long newest = members.stream().map(StatusReport.MemberObservation::status)
                    .flatMap(Optional::stream).mapToLong(MemberStatus::getMapEpoch).max()
                    .orElse(0);
            if (members.stream().allMatch(m -> m.status().isEmpty())) {
                throw new GtctlException("no metadata member answered at "
                        + String.join(",", addresses) + ": is the cluster running?"
                        + " (start it with 'gtctl cluster start'; a cluster with TLS or a"
                        + " token needs --tls-ca/--tls-cert/--tls-key or --token-file)");
            }
            staleAddresses(addresses, members).ifPresent(line -> {
                spec.commandLine().getErr().println(line);
                spec.commandLine().getErr().flush();
            });
            PartitionMap map = view.map(newest);
            common.clusterConfig().flatMap(f -> settingsDiffer(f, map)).ifPresent(line -> {
                spec.commandLine().getErr().println(line);
                spec.commandLine().getErr().flush();
            });
            StatusReport report = StatusReport.of(members, map, serverPids);
            PrintWriter out = spec.commandLine().getOut();
            if (common.json()) {
                out.println(JSON.writeValueAsString(report));
            } else {
                StatusPrinter.lines(report, StatusReport.details(members, map, serverPids))
                        .forEach(out::println);
            }
            out.flush();
        }
        return Gtctl.EXIT_OK;
    }

    /**
     * A warning when the addresses given (cluster file, {@code --meta} or cluster.json) name
     * one the group no longer has among its members, so the operator updates the file.
     */
    private static Optional<String> staleAddresses(List<String> given,
            List<StatusReport.MemberObservation> members) {
        List<String> current = members.stream().map(StatusReport.MemberObservation::address)
                .toList();
        List<String> stale = given.stream().filter(a -> !current.contains(a)).toList();
        if (stale.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("warning: " + String.join(", ", stale) + " is not a metadata member"
                + " any more (members: " + String.join(", ", current) + "); update the"
                + " cluster file or --meta");
    }

    /**
     * A warning when the cluster file sets replication or partitions other than the running
     * group's: those were fixed when the cluster formed, and the file's values are not used.
     */
    static Optional<String> settingsDiffer(ClusterConfigFile file, PartitionMap map) {
        if (!map.hasSettings()) {
            return Optional.empty();
        }
        List<String> differ = new ArrayList<>();
        file.get("replication").filter(v -> !v.equals(Integer.toString(
                map.getSettings().getReplication()))).ifPresent(v -> differ.add("replication = "
                        + v + " (the cluster has " + map.getSettings().getReplication() + ")"));
        file.get("partitions").filter(v -> !v.equals(Integer.toString(
                map.getSettings().getPartitions()))).ifPresent(v -> differ.add("partitions = "
                        + v + " (the cluster has " + map.getSettings().getPartitions() + ")"));
        if (differ.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("warning: the cluster file " + file.path() + " says "
                + String.join(", ", differ) + "; the cluster keeps the settings it formed"
                + " with: correct the file");
    }

    /**
     * Every member of the given addresses, and every member their answers name that those do
     * not (members added since the cluster file or {@code --meta} was written); a member the
     * answers no longer name (removed, still running) is left out once any answer names the
     * group.
     */
    private static List<StatusReport.MemberObservation> observe(MetadataView view,
            List<String> addresses, Optional<ClusterFile> file) {
        List<StatusReport.MemberObservation> members = new ArrayList<>();
        Map<String, String> named = new LinkedHashMap<>();
        List<String> asked = new ArrayList<>(addresses);
        for (int i = 0; i < asked.size(); i++) {
            String address = asked.get(i);
            Optional<ClusterFile.MetadataMember> recorded = file.flatMap(f -> f.metadata().stream()
                    .filter(m -> m.rpcAddress().equals(address)).findFirst());
            Optional<MemberStatus> status = view.memberStatus(address);
            String id = recorded.map(ClusterFile.MetadataMember::id)
                    .or(() -> Optional.ofNullable(named.get(address)))
                    .orElse(status.map(MemberStatus::getId).orElse(address));
            long pid = recorded.map(ClusterFile.MetadataMember::pid).orElse(0L);
            members.add(new StatusReport.MemberObservation(id, address, pid, status));
            status.ifPresent(st -> st.getMembersList().forEach(m -> {
                named.putIfAbsent(m.getRpcAddress(), m.getId());
                if (!m.getRpcAddress().isEmpty() && !asked.contains(m.getRpcAddress())) {
                    asked.add(m.getRpcAddress());
                }
            }));
        }
        if (named.isEmpty() || named.containsKey("")) {
            return members;
        }
        return members.stream().filter(m -> named.containsKey(m.address())).toList();
    }
}
