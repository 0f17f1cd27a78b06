package org.gtstore.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.gtstore.client.BatchResult;
import org.gtstore.client.GtStoreClient;
import org.gtstore.client.PutResult;
import org.gtstore.client.ScanEntry;
import org.gtstore.client.ScanPage;
import org.gtstore.tests.support.CliResult;
import org.gtstore.tests.support.ClusterExtension;
import org.gtstore.tests.support.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A scan of 100,000 keys while writers overwrite some of them and add others, with a data
 * server killed a third of the way through: every key present since before the scan appears
 * exactly once with a value it had, the pages go on across the death, and {@code gtctl scan}
 * prints the SPEC.md lines.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ScanIT {
    private static final int KEYS = 100_000;

    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension(
            () -> TestCluster.startWithPartitions(5, 3, 64));

    @Test
    void everyKeyPresentBeforeTheScanAppearsExactlyOnceThroughAServerDeath() throws Exception {
        TestCluster c = CLUSTER.cluster();
        try (GtStoreClient client = c.client(Duration.ofSeconds(30))) {
            for (int b = 0; b < KEYS / 10_000; b++) {
                Map<String, String> batch = new LinkedHashMap<>();
                for (int i = b * 10_000; i < (b + 1) * 10_000; i++) {
                    batch.put(key(i), "v0-" + i);
                }
                BatchResult<PutResult> r = client.putAll(batch);
                assertTrue(r.allSucceeded(), r.toString());
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong overwrites = new AtomicLong();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int first = w;
                Thread writer = new Thread(() -> {
                    for (int n = first; !stop.get(); n += 4) {
                        int i = (int) ((n * 7919L) % KEYS);
                        try {
                            client.put(key(i), "v1-" + i);
                            client.put("scan-new-" + n, "x");
                            overwrites.incrementAndGet();
                        } catch (RuntimeException e) {
                            // A write across the death may fail after its retries; the scan
                            // is what is checked here.
                        }
                    }
                }, "scan-writer-" + w);
                writers.add(writer);
                writer.start();
            }
            Map<String, Integer> seen = new HashMap<>();
            List<String> wrongValues = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                ScanPage page = client.scan("scan-key-", cursor, 1_000);
                for (ScanEntry e : page.entries()) {
                    seen.merge(e.keyUtf8(), 1, Integer::sum);
                    String i = e.keyUtf8().substring("scan-key-".length());
                    String v = e.valueUtf8();
                    if (!v.equals("v0-" + Integer.parseInt(i))
                            && !v.equals("v1-" + Integer.parseInt(i))) {
                        wrongValues.add(e.keyUtf8() + "=" + v);
                    }
                }
                cursor = page.nextCursor().orElse(null);
                if (++pages == 30) {
                    c.launcher().kill("server2");
                }
            } while (cursor != null);
            stop.set(true);
            for (Thread writer : writers) {
                writer.join(60_000);
            }
            assertEquals(KEYS, seen.size(), "every key present before the scan");
            assertTrue(seen.values().stream().allMatch(n -> n == 1), "a key twice");
            assertTrue(wrongValues.isEmpty(), "values never written: " + wrongValues);
            System.out.printf("[scan] %d keys in %d pages, %d overwrites during the scan,"
                    + " server2 killed after page 30%n", seen.size(), pages, overwrites.get());
        }
    }

    @Test
    void gtctlScanPrintsKeyValueLines() {
        TestCluster c = CLUSTER.cluster();
        for (String k : List.of("cli-scan-b", "cli-scan-a", "cli-scan-c")) {
            assertEquals(0, c.gtctl("put", k, "val-" + k).exitCode());
        }
        CliResult r = c.gtctl("scan", "--prefix", "cli-scan-");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(List.of("cli-scan-a, val-cli-scan-a", "cli-scan-b, val-cli-scan-b",
                "cli-scan-c, val-cli-scan-c"), r.out().stream().sorted().toList());
        CliResult keys = c.gtctl("scan", "--prefix", "cli-scan-", "--keys-only", "--limit", "2");
        assertEquals(2, keys.out().size(), keys.toString());
        assertTrue(keys.out().stream().allMatch(k -> k.startsWith("cli-scan-")));
    }

    private static String key(int i) {
        return "scan-key-" + i;
    }
}
