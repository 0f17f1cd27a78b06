package org.gtstore.metadata.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.gtstore.metadata.command.Commands;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.metadata.model.Settings;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.InitCluster;
import org.gtstore.proto.MetaCommand;
import org.gtstore.proto.RegisterRequest;
import org.junit.jupiter.api.Test;

/** A data directory of another cluster is refused; a fresh one or one of this cluster is not. */
class ClusterIdentityTest {
    private static final ClusterState FORMED = Commands.apply(ClusterState.EMPTY,
            MetaCommand.newBuilder().setInit(InitCluster.newBuilder().setSettings(
                    new Settings(2, 8, 2, "cluster-a", org.gtstore.proto.Durability.REPLICATED).toProto())).build()).state();

    private static RegisterRequest from(String clusterId) {
        return RegisterRequest.newBuilder().setServerId("server1").setAddress("127.0.0.1:1")
                .setStorageId("disk-1").setClusterId(clusterId).build();
    }

    @Test
    void aDirectoryOfAnotherClusterIsRefusedNamingBoth() {
        ClusterIdentity.Refusal r = ClusterIdentity.check(FORMED, from("cluster-b")).get();
        assertEquals(ErrorCode.WRONG_CLUSTER, r.code());
        assertTrue(r.message().contains("cluster-b") && r.message().contains("cluster-a"),
                r.message());
    }

    @Test
    void aFreshDirectoryOrOneOfThisClusterMayRegister() {
        assertTrue(ClusterIdentity.check(FORMED, from("")).isEmpty());
        assertTrue(ClusterIdentity.check(FORMED, from("cluster-a")).isEmpty());
    }

    @Test
    void nothingRegistersBeforeTheClusterHasAnId() {
        assertEquals(ErrorCode.UNAVAILABLE,
                ClusterIdentity.check(ClusterState.EMPTY, from("")).get().code());
    }
}
