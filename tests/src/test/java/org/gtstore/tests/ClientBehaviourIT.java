package org.gtstore.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.gtstore.client.GetResult;
import org.gtstore.client.GtStoreClient;
import org.gtstore.tests.history.History;
import org.gtstore.tests.history.RegisterChecker;
import org.gtstore.tests.support.CliResult;
import org.gtstore.tests.support.ClusterExtension;
import org.gtstore.tests.support.ReadmeExample;
import org.gtstore.tests.support.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a user sees at the edges: any UTF-8 key and value round-trips, a missing key is
 * NOT_FOUND with exit 1, bad input and an unreachable metadata group give one line on stderr and
 * a non-zero exit, the shell answers one line per command, and concurrent clients always read
 * the latest acknowledged value (checked as a linearizable history).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ClientBehaviourIT {
    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension(3, 2);

    @Test
    void theReadmeJavaExampleCompilesAndRuns() throws Exception {
        TestCluster c = CLUSTER.cluster();
        ReadmeExample.run(String.join(",", c.metadataAddresses()));
        try (GtStoreClient client = c.client(Duration.ofSeconds(10))) {
            assertEquals("hello", client.get("greeting").valueUtf8());
            assertEquals("1", client.get("a").valueUtf8());
            assertEquals("2", client.get("b").valueUtf8());
            assertEquals("1", client.get("counter").valueUtf8(), "the example's counter");
        }
    }

    @Test
    void keysWithSpacesAndNonAsciiRoundTripThroughTheScripts() {
        TestCluster c = CLUSTER.cluster();
        String key = "a key with spaces / ключ / 鍵 / 🔑";
        String value = "  leading and trailing spaces, ü, 値  ";
        CliResult put = c.script("client", "--put", key, "--val", value);
        assertEquals(0, put.exitCode(), put.toString());
        assertTrue(put.line().matches("OK, server\\d+"), put.toString());
        CliResult get = c.script("client", "--get", key);
        assertEquals(0, get.exitCode(), get.toString());
        assertTrue(get.line().startsWith(key + ", " + value + ", server"), get.toString());
    }

    @Test
    void missingKeyIsNotFoundWithExitCodeOne() {
        CliResult get = CLUSTER.cluster().script("client", "--get", "never-written-key");
        assertEquals(1, get.exitCode(), get.toString());
        assertEquals("never-written-key, NOT_FOUND", get.line());
    }

    @Test
    void deleteMakesTheKeyNotFound() {
        TestCluster c = CLUSTER.cluster();
        assertEquals(0, c.gtctl("put", "doomed", "x").exitCode());
        CliResult del = c.gtctl("delete", "doomed");
        assertEquals(0, del.exitCode(), del.toString());
        assertTrue(del.line().matches("OK, server\\d+"), del.toString());
        CliResult get = c.gtctl("get", "doomed");
        assertEquals(1, get.exitCode(), get.toString());
        assertEquals("doomed, NOT_FOUND", get.line());
    }

    @Test
    void oversizedKeyOrValueGivesOneLineErrorAndChangesNothing() {
        TestCluster c = CLUSTER.cluster();
        String bigKey = "k".repeat(1025);
        assertOneLineError(c.gtctl("put", bigKey, "v"));
        assertOneLineError(c.gtctl("put", "big-value", "v".repeat(1024 * 1024 + 1)));
        assertOneLineError(c.gtctl("put", "", "v"));
        CliResult get = c.gtctl("get", "big-value");
        assertEquals("big-value, NOT_FOUND", get.line(), "a rejected put wrote nothing");
    }

    @Test
    void unreachableMetadataGivesOneLineErrorQuickly() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // Closed again: nothing listens there.
        }
        long start = System.nanoTime();
        CliResult r = TestCluster.runScript("client",
                List.of("--get", "key1", "--meta", "127.0.0.1:" + port));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertOneLineError(r);
        assertTrue(r.err().contains("127.0.0.1:" + port), r.toString());
        assertTrue(ms < 30_000, "took " + ms + " ms");
    }

    @Test
    void shellPrintsOneLinePerCommandInOrder() {
        TestCluster c = CLUSTER.cluster();
        String input = String.join("\n", "put s1 one", "get s1", "put s1 two", "get s1",
                "delete s1", "get s1", "bogus command", "get", "") ;
        CliResult r = c.gtctlWithInput(input, "shell");
        assertEquals(8, r.out().size(), r.toString());
        assertTrue(r.out().get(0).matches("OK, server\\d+"), r.toString());
        assertTrue(r.out().get(1).matches("s1, one, server\\d+"), r.toString());
        assertTrue(r.out().get(2).matches("OK, server\\d+"), r.toString());
        assertTrue(r.out().get(3).matches("s1, two, server\\d+"), r.toString());
        assertTrue(r.out().get(4).matches("OK, server\\d+"), r.toString());
        assertEquals("s1, NOT_FOUND", r.out().get(5), r.toString());
        assertTrue(r.out().get(6).startsWith("ERROR: "), r.toString());
        assertTrue(r.out().get(7).startsWith("ERROR: "), r.toString());
    }

    @Test
    void concurrentClientsAlwaysReadTheLatestAcknowledgedValue() throws Exception {
        // Four clients, each with its own connection and map, write and read a few shared keys
        // and one private key each; the recorded history must be linearizable.
        TestCluster c = CLUSTER.cluster();
        History history = new History();
        int clients = 4;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            int id = i;
            done.add(pool.submit(() -> {
                runClient(c, history, id, 150);
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(3, TimeUnit.MINUTES);
        }
        pool.shutdown();
        assertEquals(0, history.unknownWrites(), "no write failed while nothing failed");
        assertTrue(history.acknowledgedWrites() > 200, "writes: " + history.acknowledgedWrites());
        Optional<RegisterChecker.Violation> violation = RegisterChecker.check(history.ops());
        assertFalse(violation.isPresent(), () -> violation.get().toString());
    }

    private static void runClient(TestCluster c, History history, int id, int ops) {
        Random random = new Random(42 + id);
        List<String> keys = List.of("shared-a", "shared-b", "shared-c", "private-" + id);
        try (GtStoreClient client = c.client(Duration.ofSeconds(20))) {
            for (int n = 0; n < ops; n++) {
                String key = keys.get(random.nextInt(keys.size()));
                if (random.nextBoolean()) {
                    String value = "c" + id + "-" + n;
                    History.Pending p = history.invokeWrite(key, value);
                    client.put(key, value);
                    p.ok(null);
                } else {
                    History.Pending p = history.invokeRead(key);
                    GetResult r = client.get(key);
                    p.ok(r.found() ? r.valueUtf8() : null);
                }
            }
        }
    }

    private static void assertOneLineError(CliResult r) {
        assertNotEquals(0, r.exitCode(), r.toString());
        String err = r.err().strip();
        assertFalse(err.isEmpty(), r.toString());
        assertEquals(1, err.lines().count(), "one line on stderr: " + r);
        assertFalse(err.contains("Exception") && err.contains("\tat "), "no stack trace: " + r);
        assertTrue(r.out().isEmpty(), "nothing on stdout: " + r);
    }
}
