package org.gtstore.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gtstore.client.GetResult;
import org.gtstore.client.GtStoreClient;
import org.gtstore.client.internal.MetadataClient;
import org.gtstore.proto.ServerInfo;
import org.gtstore.proto.ServerState;
import org.gtstore.tests.support.ClusterExtension;
import org.gtstore.tests.support.HostCommands;
import org.gtstore.tests.support.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A data directory that fills up: one server's data directory moves to a small tmpfs, which the
 * test then fills. That server must go out of service with one clear line in its log (its
 * process stays up), the cluster must keep accepting writes without it, and once the test frees
 * the space the server must start again in place, rejoin, and end up holding every acknowledged
 * write: with the other two servers killed it alone serves every key's newest value.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class DiskFullIT {
    private static final String VICTIM = "server3";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String VALUE_PAD = "x".repeat(1000);

    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension(3, 3);

    @Test
    void aFullDataDirectoryTakesTheServerOutUntilSpaceReturnsAndLosesNothing() throws Exception {
        assumeTrue(HostCommands.isRoot(), "needs root: mount -t tmpfs");
        TestCluster c = CLUSTER.cluster();
        Map<String, String> acked = new LinkedHashMap<>();
        Path data = c.clusterDir().resolve(VICTIM).resolve("data");
        try (GtStoreClient client = c.client(Duration.ofSeconds(30))) {
            write(client, acked, "before-", 0, 300);
            moveToTmpfs(c, data);
            write(client, acked, "on-tmpfs-", 0, 100);
            Path filler = fill(data);
            Path log = c.launcher().logFile(VICTIM);
            int n = 0;
            while (!Files.readString(log).contains("is full: out of service")) {
                write(client, acked, "filling-", n, n + 100);
                n += 100;
                assertTrue(c.launcher().isRunning(VICTIM), "the process stopped: " + tail(log));
                assertTrue(n < 50_000, "never went out of service; log: " + tail(log));
            }
            assertTrue(c.launcher().isRunning(VICTIM), "the process stopped: " + tail(log));
            await(VICTIM + " out of the map").atMost(WAIT)
                    .until(() -> stateOf(c) == ServerState.DEAD);
            write(client, acked, "without-", 0, 200);
            Files.delete(filler);
            await(VICTIM + " back").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                    .until(() -> Files.readString(log).contains("has room again: restarting"));
            c.launcher().awaitReady(WAIT);
            write(client, acked, "after-", 0, 100);
            System.out.printf("[disk-full] %d acknowledged writes; %d while %s filled up%n",
                    acked.size(), n, VICTIM);
            for (String other : List.of("server1", "server2")) {
                c.launcher().kill(other);
            }
            for (Map.Entry<String, String> e : acked.entrySet()) {
                GetResult r = client.get(e.getKey());
                assertTrue(r.found(), "lost " + e.getKey());
                assertEquals(e.getValue(), r.valueUtf8(), e.getKey());
                assertEquals(VICTIM, r.serverId(), "read from " + r.serverId());
            }
        } finally {
            unmount(data);
        }
    }

    private static void write(GtStoreClient client, Map<String, String> acked, String prefix,
            int from, int to) {
        for (int i = from; i < to; i++) {
            String key = prefix + i;
            String value = key + "-" + System.nanoTime() + VALUE_PAD;
            client.put(key, value);
            acked.put(key, value);
        }
    }

    /** Moves the victim's data directory onto a 48 MiB tmpfs (killed and restarted around it). */
    private static void moveToTmpfs(TestCluster c, Path data) throws Exception {
        c.launcher().kill(VICTIM);
        Path aside = data.resolveSibling("data.disk");
        Files.move(data, aside);
        Files.createDirectory(data);
        HostCommands.must("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", data.toString());
        HostCommands.must("cp", "-a", aside + "/.", data.toString());
        c.launcher().restart(VICTIM, WAIT);
        c.launcher().awaitReady(WAIT);
    }

    /** Fills the file system of {@code dir} until a write fails; returns the filler file. */
    private static Path fill(Path dir) throws IOException {
        Path filler = dir.resolve("filler");
        byte[] chunk = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
        }
        return filler;
    }

    /** Detaches the tmpfs at once (lazily: the server may still have files open there). */
    private static void unmount(Path data) throws Exception {
        if (Files.readAllLines(Path.of("/proc/mounts")).stream()
                .anyMatch(l -> l.contains(" " + data + " "))) {
            HostCommands.must("umount", "-l", data.toString());
        }
    }

    private static ServerState stateOf(TestCluster c) {
        try (MetadataClient m = MetadataClient.create(c.metadataAddresses())) {
            return m.getMap().getServersList().stream().filter(s -> s.getId().equals(VICTIM))
                    .map(ServerInfo::getState).findFirst().orElseThrow();
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }
}
