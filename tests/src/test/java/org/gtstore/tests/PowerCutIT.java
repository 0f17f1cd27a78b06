package org.gtstore.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.gtstore.client.GetResult;
import org.gtstore.client.GtStoreClient;
import org.gtstore.client.GtStoreException;
import org.gtstore.client.PutResult;
import org.gtstore.proto.ErrorCode;
import org.gtstore.tests.support.CliResult;
import org.gtstore.tests.support.ClusterExtension;
import org.gtstore.tests.support.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A power cut of the machine in the {@code replicated} durability mode, as real processes see
 * it: every process is frozen at the same instant and killed, and each data server's newest
 * RocksDB log loses a different tail (the page cache that never reached the disk), so every
 * replica of a partition comes back with a different prefix of its updates. The mode may lose
 * what was acknowledged before the cut; what it must not do is answer OK to a write after the
 * restart and then lose it, or leave replicas that disagree. So after {@code cluster start}
 * every key is overwritten and read back, and then the servers are killed one after another:
 * each surviving replica, as it becomes the tail, must serve every new value.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class PowerCutIT {
    private static final int KEYS = 3_000;
    private static final long[] CUT_BYTES = {0, 40_000, 80_000};

    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension(3, 3);

    @Test
    void writesAcknowledgedAfterACutAreKeptAndEveryReplicaServesThem() throws Exception {
        TestCluster c = CLUSTER.cluster();
        writeAll(c, "before-");
        freezeThenKillEverything(c);
        List<String> servers = c.launcher().serverIds();
        cutEveryServersLog(c);
        CliResult start = c.gtctl("cluster", "start");
        assertEquals(0, start.exitCode(), start.toString());

        Map<String, String> after = writeAll(c, "after-");
        assertAllRead(c, after, "after the restart");
        for (String victim : servers.subList(0, servers.size() - 1)) {
            c.launcher().kill(victim);
            assertAllRead(c, after, "after killing " + victim);
        }
    }

    /**
     * Puts every key and returns the values, failing if any put is not answered OK. A put
     * answered RETRY_TOO_OLD (its retries outlived what its head remembers, as a chain that
     * settles or copies after a restart may make them: the outcome is unknown and nothing was
     * applied by that answer) is written again, as a user would.
     */
    static Map<String, String> writeAll(TestCluster c, String prefix) {
        Map<String, String> written = new LinkedHashMap<>();
        try (GtStoreClient client = c.client(Duration.ofSeconds(30))) {
            Map<String, CompletableFuture<PutResult>> puts = new LinkedHashMap<>();
            for (int i = 0; i < KEYS; i++) {
                String key = "key-" + i;
                String value = prefix + i;
                written.put(key, value);
                puts.put(key, client.putAsync(key, value));
            }
            puts.forEach((key, put) -> {
                try {
                    put.join();
                } catch (CompletionException e) {
                    if (!(e.getCause() instanceof GtStoreException g)
                            || g.code().orElse(null) != ErrorCode.RETRY_TOO_OLD) {
                        throw e;
                    }
                    client.put(key, written.get(key));
                }
            });
        }
        return written;
    }

    static void assertAllRead(TestCluster c, Map<String, String> expected,
            String when) {
        try (GtStoreClient client = c.client(Duration.ofSeconds(30))) {
            for (Map.Entry<String, String> e : expected.entrySet()) {
                GetResult r = client.get(e.getKey());
                assertTrue(r.found(), e.getKey() + " not found " + when);
                assertEquals(e.getValue(), r.valueUtf8(), "value of " + e.getKey() + " " + when);
            }
        }
    }

    /**
     * One {@code kill -STOP} for every process at once, so none of them runs a step after the
     * others stopped (as with a power cut), then SIGKILL each.
     */
    static void freezeThenKillEverything(TestCluster c) throws Exception {
        freezeThenKill(c, c.launcher().cluster().memberIds());
    }

    /** {@link #freezeThenKillEverything} for the listed members only. */
    static void freezeThenKill(TestCluster c, List<String> ids) throws Exception {
        List<String> command = new ArrayList<>(List.of("kill", "-STOP"));
        for (String id : ids) {
            command.add(Long.toString(c.launcher().pid(id)));
        }
        Process stop = new ProcessBuilder(command).inheritIO().start();
        assertEquals(0, stop.waitFor(), "kill -STOP " + command);
        for (String id : ids) {
            c.launcher().kill(id);
        }
    }

    /** Cuts each server's newest log by a different amount of {@link #CUT_BYTES}. */
    static void cutEveryServersLog(TestCluster c) throws IOException {
        List<String> servers = c.launcher().serverIds();
        for (int i = 0; i < servers.size(); i++) {
            cutNewestLog(c.clusterDir().resolve(servers.get(i)), CUT_BYTES[i % CUT_BYTES.length]);
        }
    }

    /** Cuts {@code bytes} off the end of the member's newest RocksDB log file. */
    static void cutNewestLog(Path memberDir, long bytes) throws IOException {
        Path rocks = memberDir.resolve("data").resolve("rocksdb");
        Path newest;
        try (Stream<Path> files = Files.list(rocks)) {
            newest = files.filter(p -> p.getFileName().toString().endsWith(".log"))
                    .max(java.util.Comparator.comparing(p -> p.getFileName().toString()))
                    .orElseThrow(() -> new AssertionError("no log file in " + rocks));
        }
        try (RandomAccessFile f = new RandomAccessFile(newest.toFile(), "rw")) {
            f.setLength(Math.max(0, f.length() - bytes));
        }
    }
}
