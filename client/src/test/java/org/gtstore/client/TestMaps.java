package org.gtstore.client;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.gtstore.proto.Chain;
import org.gtstore.proto.ClusterSettings;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;

/** Builds partition maps for the fakes. */
final class TestMaps {
    private TestMaps() {
    }

    /**
     * A map whose partition p has the chain servers[(p + i) % n] for i in 0..k-1: every server
     * heads an equal share.
     */
    static PartitionMap rotated(long epoch, int partitions, int k, List<FakeDataServer> servers) {
        PartitionMap.Builder m = base(epoch, partitions, k, servers);
        int n = servers.size();
        for (int p = 0; p < partitions; p++) {
            Chain.Builder c = Chain.newBuilder().setPartition(p).setEpoch(epoch);
            for (int i = 0; i < k; i++) {
                c.addReplicas(servers.get((p + i) % n).id);
            }
            m.addChains(c);
        }
        return m.build();
    }

    /** A map in which every partition has the same chain. */
    static PartitionMap sameChain(long epoch, int partitions, List<FakeDataServer> servers,
            List<FakeDataServer> chain) {
        PartitionMap.Builder m = base(epoch, partitions, chain.size(), servers);
        for (int p = 0; p < partitions; p++) {
            Chain.Builder c = Chain.newBuilder().setPartition(p).setEpoch(epoch);
            chain.forEach(s -> c.addReplicas(s.id));
            m.addChains(c);
        }
        return m.build();
    }

    private static PartitionMap.Builder base(long epoch, int partitions, int k,
            List<FakeDataServer> servers) {
        PartitionMap.Builder m = PartitionMap.newBuilder().setEpoch(epoch)
                .setSettings(ClusterSettings.newBuilder().setReplication(k)
                        .setPartitions(partitions));
        for (FakeDataServer s : servers) {
            m.addServers(ServerInfo.newBuilder().setId(s.id).setAddress(s.address())
                    .setState(ServerState.ALIVE));
        }
        return m;
    }

    /** The map with one server moved to another address. */
    static PartitionMap withAddress(PartitionMap map, String serverId, String address) {
        return withServer(map, serverId, s -> s.setAddress(address));
    }

    /** The map with one server in the given state. */
    static PartitionMap withState(PartitionMap map, String serverId, ServerState state) {
        return withServer(map, serverId, s -> s.setState(state));
    }

    private static PartitionMap withServer(PartitionMap map, String serverId,
            java.util.function.Consumer<ServerInfo.Builder> change) {
        PartitionMap.Builder b = map.toBuilder();
        for (ServerInfo.Builder s : b.getServersBuilderList()) {
            if (s.getId().equals(serverId)) {
                change.accept(s);
            }
        }
        return b.build();
    }

    /** A loopback address on which nothing listens: connecting to it is refused. */
    static String deadAddress() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return "127.0.0.1:" + s.getLocalPort();
        }
    }

    static List<FakeDataServer> servers(int n) throws IOException {
        List<FakeDataServer> list = new ArrayList<>();
        java.util.Map<com.google.protobuf.ByteString, com.google.protobuf.ByteString> store =
                new java.util.concurrent.ConcurrentHashMap<>();
        for (int i = 1; i <= n; i++) {
            list.add(new FakeDataServer("server" + i, store));
        }
        return list;
    }
}
