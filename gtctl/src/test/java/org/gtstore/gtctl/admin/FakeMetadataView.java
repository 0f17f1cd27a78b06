package org.gtstore.gtctl.admin;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.gtstore.client.MetadataUnavailableException;
import org.gtstore.gtctl.cluster.MetadataView;
import org.gtstore.proto.Chain;
import org.gtstore.proto.ClusterSettings;
import org.gtstore.proto.MemberStatus;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;

/** A metadata group held in memory: a current map, member statuses, and maps to watch. */
public final class FakeMetadataView implements MetadataView {
    PartitionMap map;
    final Map<String, MemberStatus> members = new HashMap<>();
    final List<PartitionMap> upcoming = new ArrayList<>();
    boolean closed;

    public FakeMetadataView(PartitionMap map) {
        this.map = map;
    }

    @Override
    public PartitionMap map() {
        if (map == null) {
            throw new MetadataUnavailableException("no metadata member answered");
        }
        return map;
    }

    @Override
    public PartitionMap map(long knownEpoch) {
        return map();
    }

    @Override
    public Optional<MemberStatus> memberStatus(String rpcAddress) {
        return Optional.ofNullable(members.get(rpcAddress));
    }

    @Override
    public Watch watch(long fromEpoch, Consumer<PartitionMap> onMap,
            Consumer<String> onConnectionLost) {
        Thread t = new Thread(() -> {
            onConnectionLost.accept("lost the watch stream from 127.0.0.1:1 (test); reconnecting");
            upcoming.stream().filter(m -> m.getEpoch() >= fromEpoch).forEach(onMap);
        });
        t.start();
        return () -> { };
    }

    @Override
    public void close() {
        closed = true;
    }

    /** A map of {@code servers} servers and {@code partitions} chains of K, round-robin. */
    public static PartitionMap balancedMap(long epoch, int servers, int k, int partitions) {
        PartitionMap.Builder b = PartitionMap.newBuilder().setEpoch(epoch)
                .setCause("test map")
                .setSettings(ClusterSettings.newBuilder().setReplication(k)
                        .setPartitions(partitions).setInitialServers(servers));
        for (int s = 1; s <= servers; s++) {
            b.addServers(ServerInfo.newBuilder().setId("server" + s)
                    .setAddress("127.0.0.1:" + (40010 + s)).setIncarnation(1)
                    .setState(ServerState.ALIVE));
        }
        for (int p = 0; p < partitions; p++) {
            Chain.Builder c = Chain.newBuilder().setPartition(p).setEpoch(epoch);
            for (int r = 0; r < k; r++) {
                c.addReplicas("server" + ((p + r) % servers + 1));
            }
            b.addChains(c);
        }
        return b.build();
    }

    /** The map after {@code id} died: DEAD, and removed from every chain. */
    static PartitionMap withDead(PartitionMap map, String id) {
        PartitionMap.Builder b = map.toBuilder().setEpoch(map.getEpoch() + 1)
                .setCause(id + " dead: connection refused");
        for (int i = 0; i < b.getServersCount(); i++) {
            if (b.getServers(i).getId().equals(id)) {
                b.setServers(i, b.getServers(i).toBuilder().setState(ServerState.DEAD));
            }
        }
        for (int i = 0; i < b.getChainsCount(); i++) {
            Chain c = b.getChains(i);
            List<String> kept = c.getReplicasList().stream().filter(r -> !r.equals(id)).toList();
            if (kept.size() != c.getReplicasCount()) {
                b.setChains(i, c.toBuilder().clearReplicas().addAllReplicas(kept)
                        .setEpoch(b.getEpoch()));
            }
        }
        return b.build();
    }

    static MemberStatus status(String id, String address, String role, long term, long pid) {
        return MemberStatus.newBuilder().setId(id).setRpcAddress(address).setRole(role)
                .setTerm(term).setPid(pid).build();
    }
}
