package org.gtstore.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gtstore.tests.support.CliResult;
import org.gtstore.tests.support.ClusterExtension;
import org.gtstore.tests.support.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short YCSB run of every core workload, A to F, with YCSB's own client and the GTStore
 * binding against a running cluster: every load and run phase ends with its report, no
 * operation fails, and the JSON, CSV and chart are written. No timing assertions.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class YcsbIT {
    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension(
            () -> TestCluster.startWithPartitions(4, 3, 64));

    @TempDir
    Path tmp;

    @Test
    void everyWorkloadLoadsAndRunsWithoutAFailedOperation() throws Exception {
        Path out = tmp.resolve("ycsb");
        CliResult r = CLUSTER.cluster().gtctl("bench", "ycsb", "--use-running", "--workload",
                "all", "--records", "500", "--operations", "1500", "--threads", "8",
                "--out", out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        for (String w : List.of("A", "B", "C", "D", "E", "F")) {
            for (String phase : List.of("load", "run")) {
                assertTrue(r.out().contains("== YCSB workload " + w + ", " + phase + " phase =="),
                        w + " " + phase + ": " + r);
            }
        }
        JsonNode phases = new ObjectMapper().readTree(out.resolve("ycsb.json").toFile());
        assertEquals(12, phases.size());
        List<String> seen = new ArrayList<>();
        for (JsonNode p : phases) {
            seen.add(p.get("workload").asText() + "-" + p.get("phase").asText());
            assertEquals(0, p.get("failed").asLong(), p.toString());
            assertTrue(p.get("opsPerSec").asDouble() > 0, p.toString());
        }
        assertTrue(phases.get(9).get("operations").has("SCAN"), "E scans: " + phases.get(9));
        assertTrue(phases.get(11).get("operations").has("READ-MODIFY-WRITE"),
                "F reads, modifies and writes: " + phases.get(11));
        assertTrue(Files.size(out.resolve("ycsb.png")) > 0);
        assertTrue(Files.readString(out.resolve("ycsb.csv")).startsWith("workload,phase,"));
        System.out.println("[ycsb] " + seen);
    }

    @Test
    void clusterStatsShowsEveryServerWithItsKeys() throws Exception {
        TestCluster c = CLUSTER.cluster();
        for (int i = 0; i < 200; i++) {
            assertEquals(0, c.gtctl("put", "stats-" + i, "v").exitCode());
        }
        CliResult table = c.gtctl("cluster", "stats", "--interval-ms", "300");
        assertEquals(0, table.exitCode(), table.toString());
        assertTrue(table.out().get(1).startsWith("SERVER"), table.toString());
        assertEquals(4, table.out().size() - 2, "a line per server: " + table);
        CliResult json = c.gtctl("cluster", "stats", "--interval-ms", "300", "--json");
        JsonNode stats = new ObjectMapper().readTree(json.out().get(0));
        long keys = 0;
        for (JsonNode server : stats.get("servers")) {
            assertTrue(server.get("answered").asBoolean(), server.toString());
            keys += server.get("keysHeaded").asLong();
        }
        assertTrue(keys >= 200, "every key put is headed somewhere: " + stats);
    }
}
