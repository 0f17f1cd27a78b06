package org.gtstore.dataserver.server;

import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.gtstore.dataserver.rpc.Channels;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.proto.PutRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rough throughput probe, off by default ({@code -Dgt.perf=true}): three servers in this JVM,
 * puts with many in flight through chains of K=1 and K=3. Everything shares one JVM and the
 * machine's cores, so it finds bottlenecks rather than measuring the target setup.
 * {@code -Dgt.perf.jfr=/tmp/probe} also writes a JFR profile of each measured run.
 */
@EnabledIfSystemProperty(named = "gt.perf", matches = "true")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ChainThroughputProbe {
    private static final org.slf4j.Logger LOG =
            org.slf4j.LoggerFactory.getLogger(ChainThroughputProbe.class);
    private static final int PARTITIONS = 64;

    @TempDir
    Path dir;

    @Test
    void putsPerSecondForK1AndK3() throws Exception {
        for (int k : new int[] {1, 3}) {
            try (FakeMetadataService meta = new FakeMetadataService(3000, 250)) {
                List<DataServer> servers = new ArrayList<>();
                for (int i = 1; i <= 3; i++) {
                    servers.add(DataServer.start(DataServerConfig.of("s" + i, "127.0.0.1", 0,
                            dir.resolve("k" + k + "s" + i), List.of(meta.address())),
                            t -> { }));
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> meta.addresses.size() == 3);
                List<String> ids = List.of("s1", "s2", "s3");
                meta.publish(1, PARTITIONS, p -> {
                    List<String> chain = new ArrayList<>();
                    for (int j = 0; j < k; j++) {
                        chain.add(ids.get((p + j) % 3));
                    }
                    return chain;
                });
                for (DataServer s : servers) {
                    await().atMost(Duration.ofSeconds(10)).until(() -> s.epoch() == 1);
                }
                run(k, servers, 30_000);
                jdk.jfr.Recording rec = null;
                if (System.getProperty("gt.perf.jfr") != null) {
                    rec = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
                    rec.start();
                }
                double rate = run(k, servers, 200_000);
                if (rec != null) {
                    rec.dump(Path.of(System.getProperty("gt.perf.jfr") + "-k" + k + ".jfr"));
                    rec.close();
                }
                LOG.warn("K={}: {} puts/s", k, Math.round(rate));
                servers.forEach(DataServer::close);
            }
        }
    }

    private double run(int k, List<DataServer> servers, int ops) throws Exception {
        KeyPartitioner partitioner = new KeyPartitioner(PARTITIONS);
        List<ManagedChannel> channels = new ArrayList<>();
        for (DataServer s : servers) {
            channels.add(Channels.forAddress(s.address()));
        }
        TestClient client = new TestClient(id -> channels.get(Integer.parseInt(id.substring(1))
                - 1), () -> List.of("s1", "s2", "s3"), "probe-" + k + "-" + ops);
        client.connect("s1", "s2", "s3");
        Semaphore inFlight = new Semaphore(512);
        CountDownLatch done = new CountDownLatch(ops);
        AtomicLong errors = new AtomicLong();
        long start = System.nanoTime();
        for (int i = 0; i < ops; i++) {
            ByteString key = ByteString.copyFrom("key" + (i % 10_000), StandardCharsets.UTF_8);
            int p = partitioner.partitionOf(key);
            PutRequest req = PutRequest.newBuilder().setEpoch(1).setPartition(p).setKey(key)
                    .setValue(ByteString.copyFrom(new byte[32])).build();
            inFlight.acquire();
            client.putAsync("s" + (p % 3 + 1), req).whenComplete((r, t) -> {
                if (t != null || r.getCode() != ErrorCode.OK) {
                    errors.incrementAndGet();
                }
                inFlight.release();
                done.countDown();
            });
        }
        done.await(100, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        client.close();
        channels.forEach(Channels::close);
        if (errors.get() > 0) {
            LOG.warn("K={}: {} errors", k, errors.get());
        }
        return ops / seconds;
    }
}
