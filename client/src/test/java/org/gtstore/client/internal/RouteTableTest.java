package org.gtstore.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.List;
import org.gtstore.client.internal.RouteTable.Route;
import org.gtstore.proto.Chain;
import org.gtstore.proto.ClusterSettings;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.ServerInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RouteTableTest {
    private static PartitionMap.Builder base(int partitions) {
        return PartitionMap.newBuilder().setEpoch(9)
                .setSettings(ClusterSettings.newBuilder().setPartitions(partitions))
                .addServers(ServerInfo.newBuilder().setId("s1").setAddress("h:1"))
                .addServers(ServerInfo.newBuilder().setId("s2").setAddress("h:2"))
                .addServers(ServerInfo.newBuilder().setId("s3").setAddress("h:3"));
    }

    @Test
    void headIsFirstReplicaAndTailIsLast() {
        RouteTable t = RouteTable.of(base(2)
                .addChains(Chain.newBuilder().setPartition(1).addReplicas("s2")
                        .addReplicas("s3").addReplicas("s1").setEpoch(7))
                .addChains(Chain.newBuilder().setPartition(0).addReplicas("s1"))
                .build());
        Route r = t.route(1);
        assertEquals(List.of("s2", "s3", "s1"), r.chain());
        assertEquals("s2", r.head());
        assertEquals("h:2", r.headAddress());
        assertEquals("s1", r.tail());
        assertEquals("h:1", r.tailAddress());
        assertEquals(7, r.chainEpoch(), "the epoch in which the chain last changed");
        Route single = t.route(0);
        assertEquals(single.head(), single.tail());
        assertEquals(9, t.epoch());
    }

    @Test
    void routesKeysWithTheWirePartitioner() {
        RouteTable t = RouteTable.of(base(1024).build());
        ByteString key = ByteString.copyFromUtf8("key1");
        assertEquals(new KeyPartitioner(1024).partitionOf(key.toByteArray()),
                t.partitionOf(key));
    }

    @Test
    void partitionWithoutReplicasIsUnavailableAndKeepsItsLastMembers() {
        RouteTable t = RouteTable.of(base(1)
                .addChains(Chain.newBuilder().setPartition(0).addLastReplicas("s3")).build());
        Route r = t.route(0);
        assertFalse(r.available());
        assertNull(r.head());
        assertEquals(List.of("s3"), r.lastReplicas());
    }

    @Test
    void mapBeforeAssignmentHasNoRoutes() {
        RouteTable empty = RouteTable.of(PartitionMap.getDefaultInstance());
        assertEquals(-1, empty.partitionOf(ByteString.copyFromUtf8("k")));
        assertNull(empty.route(-1));
        RouteTable unassigned = RouteTable.of(base(4).build());
        assertNull(unassigned.route(3));
        assertTrue(unassigned.partitionOf(ByteString.copyFromUtf8("k")) >= 0);
    }

    @Test
    void serverMissingFromTheServerListHasNoAddress() {
        RouteTable t = RouteTable.of(base(1)
                .addChains(Chain.newBuilder().setPartition(0).addReplicas("s9")).build());
        assertNull(t.route(0).headAddress());
    }
}
