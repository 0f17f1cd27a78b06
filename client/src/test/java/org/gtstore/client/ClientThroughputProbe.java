package org.gtstore.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures the client's async path in one JVM: fake data servers on loopback (answering from a
 * map, so the client and gRPC are most of the cost), K=1, 50% gets and 50% puts of 16-byte keys
 * and 32-byte values, a fixed number of operations in flight, each next operation issued from
 * the thread that completed the last (as {@code gtctl bench} does). Each round prints ops/s and
 * the CPU time per operation of the client's threads and of the fake servers' threads, which a
 * loaded machine disturbs far less than the rate. Not a test: run with
 * {@code mvn -o -q -pl client install -Dtest=ClientThroughputProbe -Dgt.perf=true}; knobs
 * {@code -Dgt.perf.ops=N -Dgt.perf.inflight=N -Dgt.perf.servers=N -Dgt.perf.rounds=N}.
 */
@EnabledIfSystemProperty(named = "gt.perf", matches = "true")
@Timeout(600)
class ClientThroughputProbe {
    private static final Logger LOG = LoggerFactory.getLogger(ClientThroughputProbe.class);
    private static final int PARTITIONS = 1024;
    private static final int KEYS = 100_000;

    @Test
    void measureAsyncThroughput() throws Exception {
        int ops = Integer.getInteger("gt.perf.ops", 100_000);
        int inFlight = Integer.getInteger("gt.perf.inflight", 64);
        int serverCount = Integer.getInteger("gt.perf.servers", 7);
        int rounds = Integer.getInteger("gt.perf.rounds", 3);
        List<FakeDataServer> servers = TestMaps.servers(serverCount);
        servers.forEach(s -> s.record = false);
        FakeMetadataServer meta = new FakeMetadataServer("meta1");
        meta.setMap(TestMaps.rotated(1, PARTITIONS, 1, servers));
        byte[][] keys = new byte[KEYS][];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = String.format(Locale.ROOT, "key-%012d", i).getBytes(StandardCharsets.UTF_8);
        }
        byte[] value = "v".repeat(32).getBytes(StandardCharsets.UTF_8);
        try {
            List<String> lines = new ArrayList<>();
            for (String v : System.getProperty("gt.perf.loops", "0,1").split(",")) {
                int loops = Integer.parseInt(v.trim());
                lines.add("eventLoopThreads=" + loops + ": "
                        + measure(meta, keys, value, ops, inFlight, rounds, loops));
            }
            LOG.info("client throughput, {} ops per round, {} in flight, {} servers, K=1:\n  {}",
                    ops, inFlight, serverCount, String.join("\n  ", lines));
        } finally {
            for (FakeDataServer s : servers) {
                s.close();
            }
            meta.close();
        }
    }

    /** One client with the given event loops: warm-up, then rounds; ops/s per round. */
    private static List<String> measure(FakeMetadataServer meta, byte[][] keys, byte[] value,
            int ops, int inFlight, int rounds, int eventLoopThreads) throws Exception {
        try (GtStoreClient c = GtStoreClient.builder()
                .metadataAddresses(List.of(meta.address()))
                .requestTimeout(Duration.ofSeconds(5)).deadline(Duration.ofSeconds(30))
                .eventLoopThreads(eventLoopThreads)
                .build()) {
            c.refreshMap();
            run(c, keys, value, 2 * ops, inFlight, 1);   // warm-up (JIT)
            List<String> rates = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                long[] cpu = cpuNanos();
                double rate = run(c, keys, value, ops, inFlight, 100 + r);
                long[] after = cpuNanos();
                rates.add(String.format(Locale.ROOT, "%.0f ops/s, client %.1f us/op"
                        + " (servers %.1f)", rate, (after[0] - cpu[0]) / 1e3 / ops,
                        (after[1] - cpu[1]) / 1e3 / ops));
            }
            return rates;
        }
    }

    /**
     * CPU time so far of {the client: every thread but the fake servers' and the JVM's own,
     * the fake servers}. Threads that ended are missed; the client's live for the whole run.
     */
    private static long[] cpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long client = 0;
        long servers = 0;
        for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t == null) {
                continue;
            }
            long cpu = Math.max(0, threads.getThreadCpuTime(t.getThreadId()));
            String name = t.getThreadName();
            if (name.startsWith(FakeDataServer.THREAD_PREFIX)) {
                servers += cpu;
            } else if (!name.startsWith("C1 ") && !name.startsWith("C2 ")
                    && !name.startsWith("VM ") && !name.startsWith("GC ")) {
                client += cpu;
            }
        }
        return new long[] {client, servers};
    }

    /** Runs {@code ops} operations with {@code inFlight} outstanding; returns ops/s. */
    private static double run(GtStoreClient c, byte[][] keys, byte[] value, int ops,
            int inFlight, long seed) throws Exception {
        AtomicLong issued = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        CompletableFuture<Void> done = new CompletableFuture<>();
        AtomicLong completed = new AtomicLong();
        long start = System.nanoTime();
        for (int i = 0; i < inFlight; i++) {
            SplittableRandom random = new SplittableRandom(seed * 1000 + i);
            next(c, keys, value, ops, issued, completed, errors, done, random);
        }
        done.get(300, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(0, errors.get(), "errors");
        return ops / seconds;
    }

    private static void next(GtStoreClient c, byte[][] keys, byte[] value, int ops,
            AtomicLong issued, AtomicLong completed, AtomicLong errors,
            CompletableFuture<Void> done, SplittableRandom random) {
        if (issued.incrementAndGet() > ops) {
            return;
        }
        byte[] key = keys[random.nextInt(keys.length)];
        CompletableFuture<?> f = random.nextBoolean() ? c.putAsync(key, value) : c.getAsync(key);
        f.whenComplete((r, err) -> {
            if (err != null) {
                errors.incrementAndGet();
            }
            if (completed.incrementAndGet() == ops) {
                done.complete(null);
            }
            next(c, keys, value, ops, issued, completed, errors, done, random);
        });
    }
}
