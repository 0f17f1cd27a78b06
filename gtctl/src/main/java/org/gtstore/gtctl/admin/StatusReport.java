package org.gtstore.gtctl.admin;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;
import org.gtstore.gtctl.DurabilityName;
import org.gtstore.proto.Chain;
import org.gtstore.proto.CopyProgress;
import org.gtstore.proto.MemberStatus;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;

/**
 * What {@code gtctl cluster status} shows, computed from observations (each member's status, the
 * map, the pids in cluster.json) without any I/O, so it is unit tested. The JSON form is
 * exactly
 * {@code {"epoch":..,"metadata":[{"id","address","pid","role","term"}],
 * "servers":[{"id","address","pid","state","heads","replicas"}],
 * "partitions":{"total","underReplicated","unavailable"},"durability":"replicated"|"fsync"}};
 * {@link #details} holds what only the table shows.
 */
@JsonPropertyOrder({"epoch", "metadata", "servers", "partitions", "durability"})
public record StatusReport(
        long epoch,
        List<MetadataRow> metadata,
        List<ServerRow> servers,
        PartitionCounts partitions,
        String durability) {

    /** One metadata member; role is LEADER, FOLLOWER, CANDIDATE or DOWN. */
    @JsonPropertyOrder({"id", "address", "pid", "role", "term"})
    public record MetadataRow(String id, String address, long pid, String role, long term) {
    }

    /** One data server: state ALIVE, DEAD or JOINING; chains it heads and belongs to. */
    @JsonPropertyOrder({"id", "address", "pid", "state", "heads", "replicas"})
    public record ServerRow(
            String id, String address, long pid, String state, int heads, int replicas) {
    }

    /** Partitions in total, with fewer than K live replicas (but some), and with none. */
    @JsonPropertyOrder({"total", "underReplicated", "unavailable"})
    public record PartitionCounts(int total, int underReplicated, int unavailable) {
    }

    /** A metadata member as observed: its status, or empty when it did not answer. */
    public record MemberObservation(
            String id, String address, long recordedPid, Optional<MemberStatus> status) {
    }

    /**
     * What the table shows beyond the JSON; clusterId is empty before the cluster formed;
     * awaited are the last replicas of unavailable partitions that have not reported what they
     * hold (each partition is served again by the one holding most once they have).
     */
    public record Details(
            int replication,
            String cause,
            List<Integer> underReplicated,
            List<Integer> unavailable,
            List<String> awaited,
            List<String> notRegistered,
            List<CopyProgress> progress,
            String clusterId,
            MoveProgress moves) {
    }

    /**
     * Builds the report.
     *
     * @param members every metadata member, in display order
     * @param map the map (the leader's when known)
     * @param serverPids launched data servers and their live pid (0 when not running), in
     *     display order; empty when the cluster is addressed by {@code --meta}
     */
    public static StatusReport of(List<MemberObservation> members, PartitionMap map,
            Map<String, Long> serverPids) {
        List<MetadataRow> metadata = new ArrayList<>();
        for (MemberObservation m : members) {
            metadata.add(m.status()
                    .map(s -> new MetadataRow(s.getId().isEmpty() ? m.id() : s.getId(),
                            m.address(), s.getPid() != 0 ? s.getPid() : m.recordedPid(),
                            s.getRole().isEmpty() ? "UNKNOWN" : s.getRole(), s.getTerm()))
                    .orElse(new MetadataRow(m.id(), m.address(), 0, "DOWN", 0)));
        }
        Map<String, int[]> counts = new HashMap<>();
        for (Chain chain : map.getChainsList()) {
            for (int i = 0; i < chain.getReplicasCount(); i++) {
                int[] c = counts.computeIfAbsent(chain.getReplicas(i), k -> new int[2]);
                c[0] += i == 0 ? 1 : 0;
                c[1]++;
            }
        }
        List<ServerRow> servers = new ArrayList<>();
        for (ServerInfo s : orderServers(map.getServersList(), serverPids)) {
            int[] c = counts.getOrDefault(s.getId(), new int[2]);
            String state = s.getDraining() && s.getState() != ServerState.DEAD ? "DRAINING"
                    : stateName(s.getState());
            servers.add(new ServerRow(s.getId(), s.getAddress(),
                    serverPids.getOrDefault(s.getId(), 0L), state, c[0], c[1]));
        }
        Partitions p = Partitions.of(map);
        int total = Math.max(map.getSettings().getPartitions(), map.getChainsCount());
        return new StatusReport(map.getEpoch(), metadata, servers,
                new PartitionCounts(total, p.underReplicated.size(), p.unavailable.size()),
                DurabilityName.of(map.getSettings().getDurability()));
    }

    /** The table-only details of the same observations. */
    public static Details details(List<MemberObservation> members, PartitionMap map,
            Map<String, Long> serverPids) {
        Partitions p = Partitions.of(map);
        List<String> notRegistered = new ArrayList<>();
        for (String id : serverPids.keySet()) {
            if (map.getServersList().stream().noneMatch(s -> s.getId().equals(id))) {
                notRegistered.add(id);
            }
        }
        List<CopyProgress> progress = members.stream()
                .map(MemberObservation::status).flatMap(Optional::stream)
                .filter(s -> "LEADER".equals(s.getRole()))
                .findFirst().map(MemberStatus::getProgressList).orElse(List.of());
        return new Details(map.getSettings().getReplication(), map.getCause(),
                p.underReplicated, p.unavailable, awaited(map), notRegistered,
                List.copyOf(progress), map.getSettings().getClusterId(), MoveProgress.of(map));
    }

    /** The last replicas of unavailable chains whose tips the chains still wait for. */
    private static List<String> awaited(PartitionMap map) {
        SortedSet<String> out = new TreeSet<>(StatusReport::compareIds);
        for (Chain c : map.getChainsList()) {
            if (c.getReplicasCount() == 0) {
                for (String id : c.getLastReplicasList()) {
                    if (c.getTipsList().stream().noneMatch(t -> t.getServerId().equals(id))) {
                        out.add(id);
                    }
                }
            }
        }
        return List.copyOf(out);
    }

    static String stateName(ServerState state) {
        return switch (state) {
            case ALIVE -> "ALIVE";
            case DEAD -> "DEAD";
            case JOINING -> "JOINING";
            default -> "UNKNOWN";
        };
    }

    /** Launched servers in launch order first (server2 before server10), then any others. */
    private static List<ServerInfo> orderServers(List<ServerInfo> servers, Map<String, Long> pids) {
        Map<String, ServerInfo> byId = new LinkedHashMap<>();
        servers.stream().sorted((a, b) -> compareIds(a.getId(), b.getId()))
                .forEach(s -> byId.put(s.getId(), s));
        List<ServerInfo> ordered = new ArrayList<>();
        for (String id : pids.keySet()) {
            Optional.ofNullable(byId.remove(id)).ifPresent(ordered::add);
        }
        ordered.addAll(byId.values());
        return ordered;
    }

    /** Orders ids like "server2" < "server10": by prefix, then by trailing number. */
    static int compareIds(String a, String b) {
        Function<String, Integer> digitsAt = s -> {
            int i = s.length();
            while (i > 0 && Character.isDigit(s.charAt(i - 1))) {
                i--;
            }
            return i;
        };
        int ia = digitsAt.apply(a);
        int ib = digitsAt.apply(b);
        int byPrefix = a.substring(0, ia).compareTo(b.substring(0, ib));
        if (byPrefix != 0 || ia == a.length() || ib == b.length()) {
            return byPrefix != 0 ? byPrefix : a.compareTo(b);
        }
        String na = a.substring(ia);
        String nb = b.substring(ib);
        return na.length() != nb.length() ? Integer.compare(na.length(), nb.length())
                : na.compareTo(nb);
    }

    /** Partitions with fewer than K live replicas. */
    private record Partitions(List<Integer> underReplicated, List<Integer> unavailable) {
        static Partitions of(PartitionMap map) {
            Map<String, ServerState> states = new HashMap<>();
            map.getServersList().forEach(s -> states.put(s.getId(), s.getState()));
            int k = map.getSettings().getReplication();
            List<Integer> under = new ArrayList<>();
            List<Integer> unavailable = new ArrayList<>();
            for (int i = 0; i < map.getChainsCount(); i++) {
                Chain chain = map.getChains(i);
                long live = chain.getReplicasList().stream()
                        .filter(id -> states.get(id) == ServerState.ALIVE).count();
                int partition = i;
                if (live == 0) {
                    unavailable.add(partition);
                } else if (live < k) {
                    under.add(partition);
                }
            }
            return new Partitions(List.copyOf(under), List.copyOf(unavailable));
        }
    }
}
