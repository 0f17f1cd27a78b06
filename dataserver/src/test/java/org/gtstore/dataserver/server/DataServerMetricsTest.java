package org.gtstore.dataserver.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.DataServiceGrpc;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetRequest;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.proto.MetricsScrape;
import org.gtstore.proto.StatsRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data server's Prometheus endpoint: a scrape in the protobuf format parses with the
 * Prometheus client's own message classes, the text format carries the same families, and the
 * counters move with a known workload (puts, gets, a bad request, a GetStats call).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DataServerMetricsTest {
    private static final int PARTITIONS = 8;
    private static final KeyPartitioner PARTITIONER = new KeyPartitioner(PARTITIONS);

    @TempDir
    Path dir;

    private FakeMetadataService meta;
    private LocalDataServers local;

    @AfterEach
    void stopAll() throws Exception {
        if (local != null) {
            local.close();
        }
        if (meta != null) {
            meta.close();
        }
    }

    @Test
    void aScrapeParsesAndItsCountersMoveWithTheWorkload() throws Exception {
        meta = new FakeMetadataService(3000, 100);
        local = new LocalDataServers(dir);
        DataServer s1 = local.startWithMetrics("s1", meta);
        await().atMost(Duration.ofSeconds(10)).until(() -> meta.addresses.size() >= 1);
        meta.publish(1, PARTITIONS, p -> List.of("s1"));
        local.awaitEpoch(Duration.ofSeconds(10), 1, "s1");
        assertTrue(s1.metricsPort() > 0);

        TestClient c = local.client("app").connect("s1");
        for (int i = 0; i < 10; i++) {
            assertEquals(ErrorCode.OK, c.put("s1", Requests.put(PARTITIONER, "k" + i, "v",
                    "app", i + 1)).getCode());
        }
        for (int i = 0; i < 5; i++) {
            assertEquals(ErrorCode.OK, c.get("s1", Requests.get(PARTITIONER, "k" + i))
                    .getCode());
        }
        GetRequest wrongPartition = Requests.get(PARTITIONER, "k0").toBuilder()
                .setPartition((PARTITIONER.partitionOf(Requests.get(PARTITIONER, "k0")
                        .getKey()) + 1) % PARTITIONS).build();
        assertEquals(ErrorCode.INVALID_ARGUMENT, c.get("s1", wrongPartition).getCode());
        DataServiceGrpc.newBlockingStub(local.channel("s1"))
                .getStats(StatsRequest.newBuilder().setCountsOnly(true).build());

        MetricsScrape families = MetricsScrape.of("127.0.0.1", s1.metricsPort(), 5_000);
        String requests = "gtstore_dataserver_requests_total";
        assertEquals(10, value(families, requests, Map.of("op", "put")));
        assertEquals(6, value(families, requests, Map.of("op", "get")));
        assertEquals(1, value(families, "gtstore_dataserver_request_errors_total",
                Map.of("op", "get", "code", "INVALID_ARGUMENT")));
        assertEquals(1, value(families, "gtstore_dataserver_lease_valid", Map.of()));
        assertEquals(1, value(families, "gtstore_dataserver_map_epoch", Map.of()));
        assertEquals(PARTITIONS, value(families, "gtstore_dataserver_partitions",
                Map.of("role", "head")));
        assertEquals(PARTITIONS, families.families().get("gtstore_dataserver_chain_lag_updates")
                .getMetricCount(), "one series per partition held");
        assertEquals(1, value(families, "gtstore_grpc_calls_total",
                Map.of("method", "GetStats", "code", "OK")));
        Metrics.Histogram passes = families.families().get("gtstore_dataserver_pass_seconds")
                .getMetric(0).getHistogram();
        assertTrue(passes.getSampleCount() > 0, "passes timed");
        assertTrue(families.families().containsKey("jvm_memory_used_bytes"), "JVM metrics too");

        String text = scrape(s1.metricsPort(), "text/plain");
        assertTrue(text.contains("# TYPE gtstore_dataserver_requests_total counter"), text);
        assertTrue(text.contains("gtstore_dataserver_requests_total{op=\"put\"} 10.0"), text);
    }

    /** One sample's value: a counter's or a gauge's. */
    private static double value(MetricsScrape scrape, String name, Map<String, String> labels) {
        return scrape.value(name, labels).orElseThrow(() -> new AssertionError(name + labels
                + " not in " + scrape.families().keySet()));
    }

    private static String scrape(int port, String accept) throws Exception {
        try (InputStream in = open(port, accept).getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static HttpURLConnection open(int port, String accept) throws Exception {
        HttpURLConnection conn = (HttpURLConnection) URI.create("http://127.0.0.1:" + port
                + "/metrics").toURL().openConnection();
        conn.setRequestProperty("Accept", accept);
        conn.setConnectTimeout(5_000);
        conn.setReadTimeout(5_000);
        assertEquals(200, conn.getResponseCode());
        return conn;
    }
}
