package org.gtstore.metadata.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.MetricsScrape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every metadata member's Prometheus endpoint: one member says it is the Raft leader, every
 * member shows the committed and applied indexes and the map (epoch, servers by state), and
 * the gRPC call counter moves with the Registers the test sends.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MetadataMetricsTest {
    @TempDir
    Path dir;

    private InJvmGroup group;

    @AfterEach
    void stop() {
        if (group != null) {
            group.close();
        }
    }

    @Test
    void eachMemberShowsItsRoleIndexesAndTheMap() throws Exception {
        group = InJvmGroup.start(dir, 300, 600);
        MetadataServer leader = group.awaitLeader(null);
        for (int i = 1; i <= 3; i++) {
            assertEquals(ErrorCode.OK, group.register("server" + i).getCode());
        }
        for (String id : group.members.keySet()) {
            await().atMost(InJvmGroup.WAIT).until(() -> group.map(id).getChainsCount() == 16);
        }
        long epoch = group.map(leader.config().id()).getEpoch();
        int leaders = 0;
        double registersOk = 0;
        for (MetadataServer m : group.members.values()) {
            assertTrue(m.metricsPort() > 0);
            MetricsScrape s = await().atMost(InJvmGroup.WAIT).until(
                    () -> MetricsScrape.of("127.0.0.1", m.metricsPort(), 5_000),
                    x -> x.value("gtstore_metadata_map_epoch", Map.of()).orElse(0.0) >= epoch);
            leaders += s.value("gtstore_metadata_raft_role", Map.of("role", "LEADER"))
                    .orElseThrow().intValue();
            assertTrue(s.value("gtstore_metadata_raft_commit_index", Map.of()).orElseThrow()
                    > 0, m.config().id());
            assertTrue(s.value("gtstore_metadata_applied_index", Map.of()).orElseThrow() > 0);
            assertTrue(s.value("gtstore_metadata_raft_term", Map.of()).orElseThrow() >= 1);
            assertEquals(3, s.value("gtstore_metadata_servers", Map.of("state", "ALIVE"))
                    .orElseThrow());
            assertEquals(0, s.value("gtstore_metadata_partitions",
                    Map.of("health", "unavailable")).orElseThrow());
            registersOk += s.value("gtstore_grpc_calls_total",
                    Map.of("method", "Register", "code", "OK")).orElse(0.0);
        }
        assertEquals(1, leaders, "exactly one member is the leader");
        assertTrue(registersOk >= 3, "three Registers answered: " + registersOk);
    }
}
