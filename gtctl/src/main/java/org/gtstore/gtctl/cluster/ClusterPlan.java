package org.gtstore.gtctl.cluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.gtstore.gtctl.cluster.ClusterFile.MetadataMember;
import org.gtstore.gtctl.cluster.ClusterFile.ServerMember;

/**
 * What a {@code cluster start} will launch: the recorded cluster of the directory (refused while
 * any of its members runs, or when asked for other sizes), or a new one with free ports. Every
 * refusal is a {@link ClusterException} thrown before anything is started or written.
 */
final class ClusterPlan {
    private ClusterPlan() {}

    /**
     * @param hosts member id to the host it listens on, for members not on {@code host}; a new
     *     cluster's ports are chosen free on {@code host} (a member on a host of its own, in a
     *     network namespace of its own, finds them free there too)
     */
    static ClusterFile plan(Path dir, int nodes, int replication, int partitions, String host,
            Map<String, String> hosts) {
        Optional<ClusterFile> existing = ClusterFile.read(dir);
        if (existing.isPresent()) {
            ClusterFile old = existing.get();
            requireNothingRunning(dir, old);
            if (nodes != 0 && nodes != old.servers().size()
                    || replication != 0 && replication != old.replication()) {
                throw new ClusterException(dir + " holds a cluster of "
                        + old.servers().size() + " servers with --rep "
                        + old.replication() + ": start it with those values (or without"
                        + " --nodes/--rep), or use another --dir");
            }
            return old;
        }
        validateNew(nodes, replication, partitions);
        List<Integer> ports = PortAllocator.freePorts(host, 6 + nodes);
        List<MetadataMember> metadata = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String id = "meta" + (i + 1);
            metadata.add(new MetadataMember(id, hosts.getOrDefault(id, host),
                    ports.get(2 * i), ports.get(2 * i + 1), 0));
        }
        List<ServerMember> servers = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            String id = "server" + (i + 1);
            servers.add(new ServerMember(id, hosts.getOrDefault(id, host), ports.get(6 + i), 0));
        }
        return new ClusterFile(replication, partitions, metadata, servers);
    }

    static void validateNew(int nodes, int replication, int partitions) {
        if (nodes <= 0) {
            throw new ClusterException("--nodes must be at least 1, got " + nodes);
        }
        if (replication <= 0) {
            throw new ClusterException("--rep must be at least 1, got " + replication);
        }
        if (replication > nodes) {
            throw new ClusterException("--rep " + replication + " is larger than --nodes "
                    + nodes + ": every partition needs " + replication
                    + " distinct servers");
        }
        if (partitions <= 0) {
            throw new ClusterException("--partitions must be at least 1, got " + partitions);
        }
    }

    private static void requireNothingRunning(Path dir, ClusterFile old) {
        List<String> running = new ArrayList<>();
        for (String id : old.memberIds()) {
            long pid = old.pidOf(id);
            if (ProcessControl.memberProcess(pid, id).isPresent()) {
                running.add(id + " (pid " + pid + ")");
            }
        }
        if (!running.isEmpty()) {
            throw new ClusterException("a cluster is already running in " + dir + ": "
                    + String.join(", ", running) + "; stop it first with 'gtctl cluster stop"
                    + " --dir " + dir + "'");
        }
    }

    /**
     * The cluster with a free metrics port for each of {@code ids} (on the member's host)
     * added to those it has; the members given serve metrics from their next launch.
     */
    static ClusterFile withMetricsPorts(ClusterFile cluster, List<String> ids) {
        Map<String, List<String>> byHost = new LinkedHashMap<>();
        for (String id : ids) {
            byHost.computeIfAbsent(cluster.hostOf(id), h -> new ArrayList<>()).add(id);
        }
        Map<String, Integer> ports = new HashMap<>(cluster.metrics());
        byHost.forEach((host, members) -> {
            List<Integer> free = PortAllocator.freePorts(host, members.size());
            for (int i = 0; i < members.size(); i++) {
                ports.put(members.get(i), free.get(i));
            }
        });
        return cluster.withMetrics(ports);
    }
}
