package org.gtstore.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ResultWriterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void throughputJsonHasTheContractedFieldsInOrder() throws IOException {
        List<Path> written = ResultWriter.writeThroughput(dir, ReportFixtures.threeRows(),
                "200,000 ops, 50% GET");
        assertEquals(List.of(dir.resolve("throughput.json"), dir.resolve("throughput.csv"),
                dir.resolve("throughput.png")), written);
        List<LinkedHashMap<String, Object>> rows = JSON.readValue(
                dir.resolve("throughput.json").toFile(), new TypeReference<>() { });
        assertEquals(3, rows.size());
        assertEquals(List.of("rep", "ops", "opsPerSec", "errors", "getP50Us", "getP99Us",
                "putP50Us", "putP99Us", "getP90Us", "getP999Us", "putP90Us", "putP999Us",
                "cpuUsPerOp", "msgsPerFlush", "clusterRssMiB", "clientCpuUsPerOp",
                "dataServerCpuUsPerOp", "metadataCpuUsPerOp", "compilerCpuPercent",
                "updatesPerMsg", "repliesPerMsg", "clusterPeakRssMiB", "clientRssMiB", "warmup",
                "warmupOps", "casP50Us", "casP99Us", "casConflicts"),
                List.copyOf(rows.get(0).keySet()));
        Map<String, Object> k1 = rows.get(0);
        assertEquals(1, k1.get("rep"));
        assertEquals(200_000, k1.get("ops"));
        assertEquals(103_245.7, k1.get("opsPerSec"));
        assertEquals(0, k1.get("errors"));
        assertEquals(401, k1.get("getP50Us"));
        assertEquals(1_501, k1.get("getP99Us"));
        assertEquals(601, k1.get("putP50Us"));
        assertEquals(2_501, k1.get("putP99Us"));
        assertEquals(901, k1.get("getP90Us"));
        assertEquals(7_001, k1.get("putP999Us"));
        assertEquals(95.12, k1.get("cpuUsPerOp"));
        assertEquals(1.3, k1.get("msgsPerFlush"));
        assertEquals(820.0, k1.get("clusterRssMiB"));
        assertEquals(20.5, k1.get("clientCpuUsPerOp"));
        assertEquals(70.25, k1.get("dataServerCpuUsPerOp"));
        assertEquals(4.37, k1.get("metadataCpuUsPerOp"));
        assertEquals(5.3, k1.get("compilerCpuPercent"));
        assertEquals(1.1, k1.get("updatesPerMsg"));
        assertEquals(2.1, k1.get("repliesPerMsg"));
        assertEquals(855.0, k1.get("clusterPeakRssMiB"));
        assertEquals(200.0, k1.get("clientRssMiB"));
        assertEquals("stable", k1.get("warmup"));
        assertEquals(412_000, k1.get("warmupOps"));
        assertEquals(List.of(1, 3, 5), rows.stream().map(r -> r.get("rep")).toList());
    }

    @Test
    void throughputCsvHasAHeaderAndOneLinePerK() throws IOException {
        ResultWriter.writeThroughput(dir, ReportFixtures.threeRows(), "");
        List<String> lines = Files.readAllLines(dir.resolve("throughput.csv"));
        assertEquals(4, lines.size());
        assertEquals("rep,ops,ops_per_sec,errors,get_misses,wall_time_ms,get_p50_us,get_p90_us,"
                + "get_p99_us,get_p999_us,get_max_us,get_mean_us,put_p50_us,put_p90_us,"
                + "put_p99_us,put_p999_us,put_max_us,put_mean_us,cpu_us_per_op,"
                + "client_cpu_us_per_op,data_server_cpu_us_per_op,metadata_cpu_us_per_op,"
                + "compiler_cpu_percent,msgs_per_flush,updates_per_msg,replies_per_msg,"
                + "cluster_rss_mib,cluster_peak_rss_mib,client_rss_mib,warmup,warmup_ops,"
                + "cas_p50_us,cas_p90_us,cas_p99_us,cas_p999_us,cas_max_us,cas_mean_us,"
                + "cas_conflicts", lines.get(0));
        assertEquals("1,200000,103245.7,0,0,2000.000,401,901,1501,4001,9000,480.5,"
                + "601,1201,2501,7001,12000,700.3,95.12,20.50,70.25,4.37,5.3,1.300,1.100,"
                + "2.100,820.0,855.0,200.0,stable,412000,0,0,0,0,0,0.0,0", lines.get(1));
        for (String line : lines) {
            assertEquals(38, line.split(",", -1).length, line);
        }
    }

    @Test
    void loadBalanceJsonHasTheContractedShapeWithServersInNaturalOrder() throws IOException {
        ResultWriter.writeLoadBalance(dir, ReportFixtures.loadBalance());
        LinkedHashMap<String, Object> json = JSON.readValue(
                dir.resolve("loadbalance.json").toFile(), new TypeReference<>() { });
        assertEquals(List.of("keys", "keysPerServer", "maxOverMean", "minOverMean"),
                List.copyOf(json.keySet()));
        assertEquals(4_000, json.get("keys"));
        @SuppressWarnings("unchecked")
        Map<String, Object> perServer = (Map<String, Object>) json.get("keysPerServer");
        assertEquals(List.of("server1", "server2", "server9", "server10"),
                List.copyOf(perServer.keySet()));
        assertEquals(1_100, perServer.get("server2"));
        assertEquals(1.1, json.get("maxOverMean"));
        assertEquals(0.9, json.get("minOverMean"));
    }

    @Test
    void loadBalanceCsvHasEveryCountPerServer() throws IOException {
        ResultWriter.writeLoadBalance(dir, ReportFixtures.loadBalance());
        assertEquals(List.of("server,keys,over_mean,server_stats,map_routing,put_replies",
                "server1,1000,1.0000,1000,1000,",
                "server2,1100,1.1000,1100,1100,",
                "server9,1000,1.0000,1000,1000,",
                "server10,900,0.9000,900,900,"),
                Files.readAllLines(dir.resolve("loadbalance.csv")));
    }

    @Test
    void chartsAreReadablePngsOfTheExpectedSize() throws IOException {
        ResultWriter.writeThroughput(dir, ReportFixtures.threeRows(), "subtitle");
        ResultWriter.writeLoadBalance(dir, ReportFixtures.loadBalance());
        for (String name : List.of("throughput.png", "loadbalance.png")) {
            BufferedImage image = ImageIO.read(dir.resolve(name).toFile());
            assertNotNull(image, name + " is not a readable image");
            assertEquals(Charts.WIDTH, image.getWidth(), name);
            assertEquals(Charts.HEIGHT, image.getHeight(), name);
            assertTrue(distinctColours(image) > 3, name + " is blank");
        }
    }

    private static int distinctColours(BufferedImage image) {
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 5) {
            for (int x = 0; x < image.getWidth(); x += 5) {
                colours.add(image.getRGB(x, y));
            }
        }
        return colours.size();
    }

    @Test
    void defaultDirectoryIsNamedByTheLocalTime() {
        ZonedDateTime t = ZonedDateTime.of(2026, 3, 4, 5, 6, 7, 0, ZoneOffset.UTC);
        assertEquals(Path.of("bench-results", "20260304-050607"),
                ResultWriter.timestampedDir(Path.of("bench-results"), t));
    }
}
