package org.gtstore.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.gtstore.gtctl.Connector;
import org.gtstore.gtctl.Gtctl;
import org.gtstore.gtctl.cluster.ClusterLauncher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmarks end to end: {@code gtctl bench throughput} and {@code gtctl bench loadbalance}
 * run in this JVM against real processes, with small counts (3 data servers, 2,000 operations,
 * 1,000 keys), and leave their CSV, JSON and PNG files with zero errors. The commands start and
 * stop their own fresh clusters under {@code --work-dir}; whatever a failure leaves running
 * there is stopped after each test (and its logs printed). No timing assertions.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BenchIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        System.setProperty("java.awt.headless", "true");
    }

    @TempDir
    Path tmp;

    private record Run(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    private Run gtctl(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code;
        try (PrintWriter o = new PrintWriter(out); PrintWriter e = new PrintWriter(err)) {
            code = Gtctl.run(args, Connector.real(), new ByteArrayInputStream(new byte[0]), o, e);
        }
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void throughputForTwoReplicationFactorsWritesJsonCsvAndChartWithoutErrors()
            throws IOException {
        Path out = tmp.resolve("throughput");
        Run r = gtctl("bench", "throughput", "--nodes", "3", "--reps", "1,2", "--ops", "2000",
                "--keys", "1000", "--in-flight", "16", "--warmup-min-ops", "2000",
                "--warmup-max-ops", "10000", "--out", out.toString(),
                "--work-dir", tmp.resolve("work").toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("latencies in microseconds"), r.toString());
        assertTrue(r.out().contains("K=2 warm-up: "), r.toString());

        JsonNode rows = JSON.readTree(out.resolve("throughput.json").toFile());
        assertEquals(2, rows.size(), rows.toString());
        for (int i = 0; i < 2; i++) {
            JsonNode row = rows.get(i);
            assertEquals(List.of("rep", "ops", "opsPerSec", "errors", "getP50Us", "getP99Us",
                    "putP50Us", "putP99Us"), fieldNames(row).subList(0, 8), row.toString());
            assertEquals(i + 1, row.get("rep").asInt(), row.toString());
            assertEquals(2000, row.get("ops").asInt(), row.toString());
            assertEquals(0, row.get("errors").asLong(), row.toString());
            assertTrue(row.get("opsPerSec").asDouble() > 0, row.toString());
            assertTrue(row.get("getP50Us").asLong() > 0 && row.get("putP50Us").asLong() > 0,
                    row.toString());
            // The cost of the measured phase: 3 metadata members, 3 data servers and this JVM.
            assertTrue(row.get("cpuUsPerOp").asDouble() > 0, row.toString());
            assertTrue(row.get("dataServerCpuUsPerOp").asDouble() > 0, row.toString());
            assertTrue(row.get("clusterRssMiB").asDouble() > 3 * 20, row.toString());
            assertTrue(List.of("stable", "hit the ops cap", "hit the time cap")
                    .contains(row.get("warmup").asText()), row.toString());
        }
        // A chain of two sends updates down the chain; K=1 has no chain to send on.
        assertTrue(rows.get(1).get("msgsPerFlush").asDouble() >= 1, rows.toString());
        assertTrue(rows.get(1).get("updatesPerMsg").asDouble() >= 1, rows.toString());
        assertEquals(0.0, rows.get(0).get("updatesPerMsg").asDouble(), rows.toString());
        List<String> csv = Files.readAllLines(out.resolve("throughput.csv"));
        assertEquals(3, csv.size(), csv.toString());
        assertTrue(csv.get(0).startsWith("rep,ops,ops_per_sec,errors,"), csv.get(0));
        assertPng(out.resolve("throughput.png"));
    }

    @Test
    void loadBalanceCountsEveryKeyOnceAndWritesJsonCsvAndChart() throws IOException {
        Path out = tmp.resolve("loadbalance");
        Run r = gtctl("bench", "loadbalance", "--nodes", "3", "--keys", "1000",
                "--in-flight", "16", "--out", out.toString(),
                "--work-dir", tmp.resolve("work").toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("max/mean "), r.toString());

        JsonNode result = JSON.readTree(out.resolve("loadbalance.json").toFile());
        assertEquals(List.of("keys", "keysPerServer", "maxOverMean", "minOverMean"),
                fieldNames(result), result.toString());
        assertEquals(1000, result.get("keys").asInt(), result.toString());
        JsonNode perServer = result.get("keysPerServer");
        assertEquals(List.of("server1", "server2", "server3"), fieldNames(perServer),
                result.toString());
        long sum = 0;
        for (JsonNode n : perServer) {
            sum += n.asLong();
        }
        assertEquals(1000, sum, result.toString());
        assertTrue(result.get("maxOverMean").asDouble() >= 1.0, result.toString());
        assertTrue(result.get("minOverMean").asDouble() <= 1.0, result.toString());
        List<String> csv = Files.readAllLines(out.resolve("loadbalance.csv"));
        assertEquals(4, csv.size(), csv.toString());
        assertPng(out.resolve("loadbalance.png"));
    }

    /**
     * A benchmark stops its clusters itself; this is for a failure in between. A cluster
     * directory left under the work dir means a start failed (its dir is kept for the logs) or
     * the run was cut short: print its logs, then stop whatever it recorded as running.
     */
    @AfterEach
    void stopWhateverIsLeft() throws IOException {
        Path work = tmp.resolve("work");
        if (!Files.isDirectory(work)) {
            return;
        }
        List<Path> left;
        try (Stream<Path> dirs = Files.list(work)) {
            left = dirs.filter(d -> Files.exists(d.resolve("cluster.json"))).toList();
        }
        for (Path dir : left) {
            ClusterLauncher launcher = ClusterLauncher.open(dir);
            System.err.println("---- cluster left in " + dir + ": process logs ----");
            System.err.println(launcher.logs());
            launcher.stop();
        }
    }

    private static void assertPng(Path file) throws IOException {
        BufferedImage image = ImageIO.read(file.toFile());
        assertNotNull(image, file + " is not an image");
        assertEquals(800, image.getWidth(), file.toString());
        assertEquals(500, image.getHeight(), file.toString());
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }
}
