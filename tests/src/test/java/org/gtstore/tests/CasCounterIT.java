package org.gtstore.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.gtstore.client.Condition;
import org.gtstore.client.ConditionalResult;
import org.gtstore.client.GetResult;
import org.gtstore.client.GtStoreClient;
import org.gtstore.proto.KeyPartitioner;
import org.gtstore.tests.history.History;
import org.gtstore.tests.history.RegisterChecker;
import org.gtstore.tests.support.CliResult;
import org.gtstore.tests.support.ClusterExtension;
import org.gtstore.tests.support.ClusterProbe;
import org.gtstore.tests.support.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Compare-and-set counters: eight clients each add 1 to one key 500 times with a CAS loop
 * (read, then put if the version is still the one read; on a conflict go on from the version
 * and value the conflict gave) while the test kills the head and then the tail of that key's
 * chain. The final value is exactly 4,000, no increment fails, and the history of every
 * conditional write, success or conflict, is linearizable. {@code gtctl put --if-absent} and
 * {@code --if-version} print the SPEC.md lines and exit codes.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class CasCounterIT {
    private static final int CLIENTS = 8;
    private static final int INCREMENTS = 500;
    private static final String KEY = "cas-counter";

    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension(
            () -> TestCluster.startWithPartitions(5, 3, 16));

    @Test
    void concurrentIncrementsThroughHeadAndTailDeathsCountExactly() throws Exception {
        TestCluster c = CLUSTER.cluster();
        int partition = new KeyPartitioner(16).partitionOf(KEY.getBytes(StandardCharsets.UTF_8));
        List<String> chain = ClusterProbe.map(c).getChains(partition).getReplicasList();
        assertEquals(3, chain.size(), chain.toString());
        History history = new History();
        AtomicInteger done = new AtomicInteger();
        AtomicInteger conflicts = new AtomicInteger();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch finished = new CountDownLatch(CLIENTS);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            Thread t = new Thread(() -> {
                try (GtStoreClient client = c.client(Duration.ofSeconds(30))) {
                    increment(client, history, done, conflicts);
                } catch (Throwable e) {
                    failures.add(e);
                } finally {
                    finished.countDown();
                }
            }, "cas-client-" + i);
            threads.add(t);
            t.start();
        }
        awaitDone(done, 1_000, failures);
        c.launcher().kill(chain.get(0));
        awaitDone(done, 2_500, failures);
        c.launcher().kill(chain.get(2));
        assertTrue(finished.await(4, TimeUnit.MINUTES), "the clients did not finish");
        assertTrue(failures.isEmpty(), "failed: " + failures);
        try (GtStoreClient client = c.client(Duration.ofSeconds(30))) {
            GetResult end = client.get(KEY);
            assertEquals(String.valueOf(CLIENTS * INCREMENTS), end.valueUtf8(),
                    "every increment counted once");
        }
        System.out.printf("[cas] %d increments, %d conflicts; killed head %s and tail %s%n",
                done.get(), conflicts.get(), chain.get(0), chain.get(2));
        assertEquals(0, history.unknownWrites(), "no conditional write had an unknown outcome");
        Optional<RegisterChecker.Violation> violation = RegisterChecker.check(history.ops());
        assertFalse(violation.isPresent(), () -> violation.get().toString());
    }

    /** One client's 500 increments: read once, then CAS from what each answer said. */
    private static void increment(GtStoreClient client, History history, AtomicInteger done,
            AtomicInteger conflicts) {
        History.Pending read = history.invokeRead(KEY);
        GetResult r = client.get(KEY);
        read.ok(r.found() ? r.valueUtf8() : null);
        long version = r.found() ? r.version() : 0;
        String value = r.found() ? r.valueUtf8() : null;
        for (int n = 0; n < INCREMENTS; ) {
            String next = String.valueOf(value == null ? 1 : Long.parseLong(value) + 1);
            History.CasPending cas = history.invokeCas(KEY, value, next);
            ConditionalResult result;
            try {
                result = client.put(KEY, next, version == 0 ? Condition.ifAbsent()
                        : Condition.ifVersion(version));
            } catch (RuntimeException e) {
                cas.unknown();
                throw e;
            }
            if (result.succeeded()) {
                cas.written();
                n++;
                done.incrementAndGet();
            } else {
                cas.conflict(result.currentValueUtf8().orElse(null));
                conflicts.incrementAndGet();
            }
            version = result.currentVersion();
            value = result.currentValueUtf8().orElse(null);
        }
    }

    private static void awaitDone(AtomicInteger done, int target,
            ConcurrentLinkedQueue<Throwable> failures) {
        await("increments, only " + done.get() + " so far").atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(20)).until(() -> {
                    assertTrue(failures.isEmpty(), "failed: " + failures);
                    return done.get() >= target;
                });
    }

    @Test
    void gtctlPrintsOkOrConflictAndExitsThree() {
        TestCluster c = CLUSTER.cluster();
        CliResult created = c.gtctl("put", "cas-cli", "v1", "--if-absent");
        assertEquals(0, created.exitCode(), created.toString());
        assertTrue(created.out().get(0).startsWith("OK, server"), created.toString());
        CliResult again = c.gtctl("put", "cas-cli", "v2", "--if-absent");
        assertEquals(3, again.exitCode(), again.toString());
        CliResult json = c.gtctl("get", "--json", "cas-cli");
        String line = json.out().get(0);
        long version = Long.parseLong(line.replaceAll(".*\"version\":(\\d+).*", "$1"));
        assertEquals(List.of("CONFLICT, " + version), again.out());
        CliResult stale = c.gtctl("put", "cas-cli", "v3", "--if-version", "" + (version + 1));
        assertEquals(3, stale.exitCode());
        assertEquals(0, c.gtctl("put", "cas-cli", "v3", "--if-version", "" + version)
                .exitCode());
        String read = c.gtctl("get", "cas-cli").out().get(0);
        assertTrue(read.startsWith("cas-cli, v3, server"), read);
    }
}
