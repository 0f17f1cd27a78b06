package org.gtstore.metadata.command;

import static org.gtstore.metadata.command.CommandValidator.checkEpoch;
import static org.gtstore.metadata.command.CommandValidator.checkLive;
import static org.gtstore.metadata.command.CommandValidator.reject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.metadata.model.PartitionChain;
import org.gtstore.metadata.model.ServerEntry;
import org.gtstore.proto.CopyEntry;
import org.gtstore.proto.DrainServer;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.ForgetServer;
import org.gtstore.proto.ShedLeaving;

/**
 * The commands that change which servers the cluster counts on, beside the chains' own
 * repairs: ShedLeaving (a moved chain drops its surplus member), DrainServer and ForgetServer.
 * Validation and apply, pure like the rest of {@link Commands}.
 */
final class MembershipCommands {

    private MembershipCommands() {
    }

    /**
     * Every entry names a chain with more than K replicas, no joining replica, not settling,
     * and a member of it that is not its tail (the leader also waits until that member applied
     * the map in which it stopped being the tail, which apply cannot know).
     */
    static Optional<Rejection> validateShed(ClusterState state, ShedLeaving s) {
        Optional<Rejection> epoch = checkEpoch(state, s.getExpectedEpoch());
        if (epoch.isPresent()) {
            return epoch;
        }
        if (s.getEntriesCount() == 0) {
            return reject(ErrorCode.INVALID_ARGUMENT, "no chains to shed a member from");
        }
        int k = state.settings().replication();
        Set<Integer> seen = new HashSet<>();
        for (CopyEntry e : s.getEntriesList()) {
            if (e.getPartition() < 0 || e.getPartition() >= state.chains().size()
                    || !seen.add(e.getPartition())) {
                return reject(ErrorCode.INVALID_ARGUMENT, "partition out of range or listed"
                        + " twice: " + e.getPartition());
            }
            PartitionChain c = state.chain(e.getPartition());
            if (c.replicas().size() <= k || c.hasJoining() || c.settling()
                    || !c.contains(e.getServerId()) || c.tail().equals(e.getServerId())) {
                return reject(ErrorCode.INVALID_ARGUMENT, "partition " + e.getPartition()
                        + ": cannot shed " + e.getServerId() + " from chain " + c.replicas()
                        + (c.hasJoining() ? " (joining " + c.joining() + ")" : "")
                        + ": it needs more than K=" + k + " replicas, no copy or settling,"
                        + " and a member that is not the tail");
            }
        }
        return Optional.empty();
    }

    static ClusterState applyShed(ClusterState state, ShedLeaving s) {
        long epoch = state.epoch() + 1;
        List<PartitionChain> chains = new ArrayList<>(state.chains());
        Map<String, Integer> perServer = new TreeMap<>();
        for (CopyEntry e : s.getEntriesList()) {
            PartitionChain c = chains.get(e.getPartition());
            List<String> rest = new ArrayList<>(c.replicas());
            rest.remove(e.getServerId());
            chains.set(c.partition(), c.withMembers(rest, PartitionChain.NONE, epoch));
            perServer.merge(e.getServerId(), 1, Integer::sum);
        }
        return Commands.withChains(state, chains, s.getEntriesCount()
                + " moved partitions shed their leaving member (" + perServer + ")");
    }

    /**
     * Draining needs a live server, and enough others that take positions to hold K replicas
     * of every chain without it. Cancelling needs a draining server.
     */
    static Optional<Rejection> validateDrain(ClusterState state, DrainServer d) {
        Optional<ServerEntry> s = state.server(d.getServerId());
        if (s.isEmpty()) {
            return reject(ErrorCode.UNKNOWN_SERVER, "unknown server " + d.getServerId());
        }
        if (!d.getDrain()) {
            return s.get().draining() ? Optional.empty() : reject(ErrorCode.INVALID_ARGUMENT,
                    d.getServerId() + " is not draining");
        }
        Optional<Rejection> live = checkLive(state, d.getServerId());
        if (live.isPresent()) {
            return reject(ErrorCode.INVALID_ARGUMENT, d.getServerId() + " is dead: it holds"
                    + " no position; remove it instead");
        }
        if (s.get().draining()) {
            return reject(ErrorCode.INVALID_ARGUMENT, d.getServerId() + " is already draining");
        }
        int k = state.settings().replication();
        long others = state.liveServers().stream()
                .filter(e -> e.takesPositions() && !e.id().equals(d.getServerId())).count();
        if (others < k) {
            return reject(ErrorCode.NOT_ENOUGH_SERVERS, "cannot drain " + d.getServerId()
                    + ": the other " + others + " live servers that take positions cannot hold"
                    + " K=" + k + " replicas of every partition; add a server first");
        }
        return Optional.empty();
    }

    static ClusterState applyDrain(ClusterState state, DrainServer d) {
        SortedMap<String, ServerEntry> servers = new TreeMap<>(state.servers());
        servers.put(d.getServerId(), servers.get(d.getServerId()).withDraining(d.getDrain()));
        return state.next(state.settings(), servers, state.chains(), d.getDrain()
                ? d.getServerId() + " is draining: its positions move to other servers"
                : d.getServerId() + " is no longer draining");
    }

    /**
     * A server may be forgotten once it is dead, unless it is a last replica of an unavailable
     * chain (it may hold the only copy of that partition). A live one must be drained and
     * stopped first: forgotten while running, it would register again as a new server.
     */
    static Optional<Rejection> validateForget(ClusterState state, ForgetServer f) {
        String id = f.getServerId();
        Optional<ServerEntry> s = state.server(id);
        if (s.isEmpty()) {
            return reject(ErrorCode.UNKNOWN_SERVER, "unknown server " + id);
        }
        if (!s.get().isDead()) {
            boolean holds = ChainEdits.holdsPosition(state.chains(), id);
            return reject(ErrorCode.INVALID_ARGUMENT, id + " is live"
                    + (!s.get().draining() ? ": drain it, stop it, then remove it"
                    : holds ? " and still draining: wait for the drain, stop it, then remove it"
                    : " and drained: stop it, then remove it"));
        }
        List<Integer> onlyCopies = new ArrayList<>();
        for (PartitionChain c : state.chains()) {
            if (c.lastReplicas().contains(id)) {
                onlyCopies.add(c.partition());
            }
        }
        if (!onlyCopies.isEmpty()) {
            return reject(ErrorCode.INVALID_ARGUMENT, id + " is a last replica of "
                    + onlyCopies.size() + " unavailable partitions " + abbreviate(onlyCopies)
                    + ": it may hold their only copy; bring it back instead");
        }
        return Optional.empty();
    }

    /** Drops the server and every chain's memory of it as departed (bookkeeping: same epochs). */
    static ClusterState applyForget(ClusterState state, ForgetServer f) {
        String id = f.getServerId();
        SortedMap<String, ServerEntry> servers = new TreeMap<>(state.servers());
        servers.remove(id);
        List<PartitionChain> chains = new ArrayList<>(state.chains());
        for (int p = 0; p < chains.size(); p++) {
            PartitionChain c = chains.get(p);
            if (c.departed().contains(id)) {
                chains.set(p, c.withoutDeparted(id));
            }
        }
        return state.next(state.settings(), ChainEdits.refreshStates(servers, chains), chains,
                id + " removed from the cluster");
    }

    private static String abbreviate(List<Integer> partitions) {
        return partitions.size() <= 8 ? partitions.toString()
                : partitions.subList(0, 8).toString().replace("]", ", ...]");
    }
}
