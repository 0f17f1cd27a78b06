package org.gtstore.metadata.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ServerInfo;

/**
 * The whole state the metadata group agrees on, as an immutable value: settings, registered
 * servers, the chain of every partition, the map epoch and why the map reached it. Commands
 * produce a new value (see {@code org.gtstore.metadata.command.Commands}); nothing mutates one.
 * Servers are kept sorted by id so that iteration, and therefore every decision derived from
 * it, is the same on every member.
 *
 * @param settings null until InitCluster was applied
 * @param chains   indexed by partition; empty before the first assignment
 */
public record ClusterState(Settings settings, SortedMap<String, ServerEntry> servers,
                           List<PartitionChain> chains, long epoch, String cause) {

    /** The state of a group that has applied nothing. */
    public static final ClusterState EMPTY =
            new ClusterState(null, new TreeMap<>(), List.of(), 0, "");

    public ClusterState {
        servers = Collections.unmodifiableSortedMap(new TreeMap<>(servers));
        chains = List.copyOf(chains);
        Objects.requireNonNull(cause, "cause == null");
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch < 0: " + epoch);
        }
        for (int i = 0; i < chains.size(); i++) {
            if (chains.get(i).partition() != i) {
                throw new IllegalArgumentException("chain at index " + i + " is for partition "
                        + chains.get(i).partition());
            }
        }
    }

    public boolean hasSettings() {
        return settings != null;
    }

    /** True once every partition has been given a chain. */
    public boolean isAssigned() {
        return !chains.isEmpty();
    }

    public Optional<ServerEntry> server(String id) {
        return Optional.ofNullable(servers.get(id));
    }

    /** Servers that are not declared dead (ALIVE or JOINING), sorted by id. */
    public List<ServerEntry> liveServers() {
        List<ServerEntry> live = new ArrayList<>();
        for (ServerEntry s : servers.values()) {
            if (!s.isDead()) {
                live.add(s);
            }
        }
        return live;
    }

    public PartitionChain chain(int partition) {
        return chains.get(partition);
    }

    /** Partitions served by fewer than K replicas (but by at least one). */
    public int underReplicatedCount() {
        if (!hasSettings()) {
            return 0;
        }
        int n = 0;
        for (PartitionChain c : chains) {
            if (!c.isUnavailable() && c.replicas().size() < settings.replication()) {
                n++;
            }
        }
        return n;
    }

    /** Partitions whose every replica is dead. */
    public int unavailableCount() {
        int n = 0;
        for (PartitionChain c : chains) {
            if (c.isUnavailable()) {
                n++;
            }
        }
        return n;
    }

    /** A new state one epoch later, with the given parts replaced. */
    public ClusterState next(Settings newSettings, SortedMap<String, ServerEntry> newServers,
                             List<PartitionChain> newChains, String newCause) {
        return new ClusterState(newSettings, newServers, newChains, epoch + 1, newCause);
    }

    public PartitionMap toProto() {
        return toProto(EMPTY, PartitionMap.getDefaultInstance());
    }

    /**
     * The wire form, reusing the {@code Chain} messages of {@code previousMap} (the wire form of
     * {@code previous}) for every chain this state shares with {@code previous} as the very same
     * object. A command replaces only the chains it changes, so one epoch costs a message per
     * changed chain instead of one per partition (a full map of 1024 partitions is about
     * 240 KB of garbage; most epochs change a handful of chains).
     */
    public PartitionMap toProto(ClusterState previous, PartitionMap previousMap) {
        PartitionMap.Builder b = PartitionMap.newBuilder().setEpoch(epoch).setCause(cause);
        if (settings != null) {
            b.setSettings(settings.toProto());
        }
        for (ServerEntry s : servers.values()) {
            b.addServers(s.toProto());
        }
        List<PartitionChain> before = previous.chains();
        boolean reusable = before.size() == previousMap.getChainsCount();
        for (int i = 0; i < chains.size(); i++) {
            PartitionChain c = chains.get(i);
            if (reusable && i < before.size() && before.get(i) == c) {
                b.addChains(previousMap.getChains(i));
            } else {
                b.addChains(c.toProto());
            }
        }
        return b.build();
    }

    public static ClusterState fromProto(PartitionMap map) {
        Settings settings = map.hasSettings() ? Settings.fromProto(map.getSettings()) : null;
        SortedMap<String, ServerEntry> servers = new TreeMap<>();
        for (ServerInfo s : map.getServersList()) {
            servers.put(s.getId(), ServerEntry.fromProto(s));
        }
        List<PartitionChain> chains = new ArrayList<>(map.getChainsCount());
        map.getChainsList().forEach(c -> chains.add(PartitionChain.fromProto(c)));
        return new ClusterState(settings, servers, chains, map.getEpoch(), map.getCause());
    }
}
