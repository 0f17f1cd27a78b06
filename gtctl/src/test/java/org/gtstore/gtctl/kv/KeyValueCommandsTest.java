package org.gtstore.gtctl.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gtstore.gtctl.GtctlRunner;
import org.gtstore.gtctl.cluster.ClusterFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** put/get/delete print the SPEC.md lines and exit codes, and fail in one line. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KeyValueCommandsTest {
    private static final String META = "--meta=127.0.0.1:1";

    private final FakeStore store = new FakeStore(false);
    private final GtctlRunner gtctl = new GtctlRunner(store, null);

    @Test
    void putPrintsOkAndTheHead() {
        GtctlRunner.Result r = gtctl.run("put", META, "key1", "value1");
        assertEquals(0, r.exitCode());
        assertEquals("OK, " + FakeStore.headOf("key1") + "\n", r.out());
        assertEquals("", r.err());
        assertTrue(store.closed, "the client is closed after the command");
    }

    @Test
    void getPrintsKeyValueAndTheServerThatAnswered() {
        store.preload("key1", "value1");
        GtctlRunner.Result r = gtctl.run("get", META, "key1");
        assertEquals(0, r.exitCode());
        assertEquals("key1, value1, server9\n", r.out());
    }

    @Test
    void getOfMissingKeyPrintsNotFoundOnStdoutAndExitsOne() {
        GtctlRunner.Result r = gtctl.run("get", META, "nokey");
        assertEquals(1, r.exitCode());
        assertEquals("nokey, NOT_FOUND\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void deletePrintsOkAndTheHead() {
        store.preload("key1", "value1");
        GtctlRunner.Result r = gtctl.run("delete", META, "key1");
        assertEquals(0, r.exitCode());
        assertEquals("OK, " + FakeStore.headOf("key1") + "\n", r.out());
    }

    @Test
    void verboseAlsoShowsChainAndEpoch() {
        store.preload("k", "v");
        GtctlRunner.Result r = gtctl.run("get", META, "--verbose", "k");
        assertEquals("k, v, server9 (chain " + FakeStore.headOf("k") + " -> server9, epoch 12)\n",
                r.out());
    }

    @Test
    void jsonPrintsOneObjectPerResult() {
        GtctlRunner.Result r = gtctl.run("put", META, "--json", "k", "v");
        assertEquals("{\"op\":\"put\",\"key\":\"k\",\"result\":\"OK\",\"server\":\""
                + FakeStore.headOf("k") + "\",\"version\":7,\"epoch\":12,\"chain\":[\""
                + FakeStore.headOf("k") + "\",\"server9\"]}\n", r.out());
    }

    @Test
    void keysAndValuesWithSpacesNonAsciiAndLeadingAtPassThroughUnchanged() {
        String key = "@clé avec espaces ✓";
        String value = "värde  med\ttab — 値";
        assertEquals(0, gtctl.run("put", META, "--", key, value).exitCode());
        GtctlRunner.Result r = gtctl.run("get", META, "--", key);
        assertEquals(key + ", " + value + ", server9\n", r.out());
    }

    @Test
    void failedOperationPrintsOneLineOnStderrWithoutStackTrace() {
        GtctlRunner.Result r = gtctl.run("put", META, "failkey", "v");
        assertEquals(1, r.exitCode());
        assertEquals("", r.out());
        assertEquals("error: put failkey failed after 5 attempts over 10000 ms: server2"
                + " UNAVAILABLE\n", r.err());
    }

    @Test
    void debugAddsTheStackTrace() {
        GtctlRunner.Result r = gtctl.run("put", META, "--debug", "failkey", "v");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().lines().count() > 2, r.err());
        assertTrue(r.err().contains("\tat "), r.err());
    }

    @Test
    void unknownFlagIsAUsageErrorInOneLine() {
        GtctlRunner.Result r = gtctl.run("put", "--bogus", "k", "v");
        assertEquals(2, r.exitCode());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: Unknown option: '--bogus'"), r.err());
        assertTrue(r.err().contains("gtctl put --help"), r.err());
    }

    @Test
    void missingValueIsAUsageErrorInOneLine() {
        GtctlRunner.Result r = gtctl.run("put", META, "k");
        assertEquals(2, r.exitCode());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    void malformedMetaIsAUsageError() {
        GtctlRunner.Result r = gtctl.run("get", "--meta", "localhost", "k");
        assertEquals(2, r.exitCode());
        assertEquals("error: --meta expects host:port[,host:port...], got 'localhost'"
                + " (see 'gtctl get --help')\n", r.err());
    }

    @Test
    void metaListIsPassedToTheClient() {
        gtctl.run("put", "--meta", "10.0.0.1:7000,10.0.0.2:7001", "k", "v");
        assertEquals(List.of(List.of("10.0.0.1:7000", "10.0.0.2:7001")), gtctl.storeAddresses);
    }

    @Test
    void dirWithoutClusterFailsWithAHint(@TempDir Path dir) {
        GtctlRunner.Result r = gtctl.run("get", "--dir", dir.toString(), "k");
        assertEquals(1, r.exitCode());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("gtctl cluster start"), r.err());
        assertTrue(gtctl.storeAddresses.isEmpty());
    }

    @Test
    void dirUsesTheMetadataAddressesOfClusterJson(@TempDir Path dir) {
        new ClusterFile(1, 8, List.of(
                new ClusterFile.MetadataMember("meta1", "127.0.0.1", 5001, 5002, 0),
                new ClusterFile.MetadataMember("meta2", "127.0.0.1", 5003, 5004, 0)),
                List.of()).write(dir);
        gtctl.run("put", "--dir", dir.toString(), "k", "v");
        assertEquals(List.of(List.of("127.0.0.1:5002", "127.0.0.1:5004")),
                gtctl.storeAddresses);
    }

    @Test
    void noArgumentsPrintsUsageAndExitsTwo() {
        GtctlRunner.Result r = gtctl.run();
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("Usage: gtctl"), r.err());
    }

    @Test
    void parentCommandWithoutSubcommandIsAUsageError() {
        GtctlRunner.Result r = gtctl.run("cluster");
        assertEquals(2, r.exitCode());
        assertEquals(1, r.err().lines().count(), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void helpOfASubcommandExitsZero() {
        GtctlRunner.Result r = gtctl.run("cluster", "start", "--help");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().contains("--nodes"), r.out());
    }

    @Test
    void aConditionalPutWritesOrPrintsConflictAndExitsThree() {
        GtctlRunner.Result created = gtctl.run("put", META, "k", "v1", "--if-absent");
        assertEquals(0, created.exitCode(), created.err());
        assertEquals("OK, " + FakeStore.headOf("k") + "\n", created.out());
        GtctlRunner.Result again = gtctl.run("put", META, "k", "v2", "--if-absent");
        assertEquals(3, again.exitCode());
        assertEquals("CONFLICT, 7\n", again.out());
        assertEquals("", again.err());
        GtctlRunner.Result stale = gtctl.run("put", META, "--json", "k", "v2", "--if-version",
                "5");
        assertEquals(3, stale.exitCode());
        assertEquals("{\"op\":\"put\",\"key\":\"k\",\"result\":\"CONFLICT\",\"version\":7}\n",
                stale.out());
        assertEquals(0, gtctl.run("put", META, "k", "v3", "--if-version", "7").exitCode());
        assertEquals("k, v3, server9\n", gtctl.run("get", META, "k").out());
    }

    @Test
    void aConditionalDeleteDeletesOrPrintsConflict() {
        store.preload("k", "v");
        GtctlRunner.Result stale = gtctl.run("delete", META, "k", "--if-version", "3");
        assertEquals(3, stale.exitCode());
        assertEquals("CONFLICT, 7\n", stale.out());
        assertEquals(0, gtctl.run("delete", META, "k", "--if-version", "7").exitCode());
        assertEquals(1, gtctl.run("get", META, "k").exitCode());
    }

    @Test
    void badConditionsAreUsageErrorsThatChangeNothing() {
        GtctlRunner.Result both = gtctl.run("put", META, "k", "v", "--if-absent",
                "--if-version", "3");
        assertEquals(2, both.exitCode());
        assertTrue(both.err().contains("mutually exclusive"), both.err());
        GtctlRunner.Result zero = gtctl.run("put", META, "k", "v", "--if-version", "0");
        assertEquals(2, zero.exitCode());
        assertTrue(zero.err().contains("use --if-absent"), zero.err());
        assertEquals(2, gtctl.run("delete", META, "k", "--if-version", "-1").exitCode());
        assertEquals(1, gtctl.run("get", META, "k").exitCode(), "nothing was written");
    }

    @Test
    void putWithATtlPassesItOnInAnyOfItsForms() {
        GtctlRunner.Result r = gtctl.run("put", META, "k", "v", "--ttl", "30s");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("OK, " + FakeStore.headOf("k") + "\n", r.out());
        assertEquals(java.time.Duration.ofSeconds(30), store.ttls.get("k"));
        gtctl.run("put", META, "k2", "v", "--ttl", "1500ms");
        assertEquals(java.time.Duration.ofMillis(1500), store.ttls.get("k2"));
        gtctl.run("put", META, "k3", "v", "--ttl", "PT2H", "--if-absent");
        assertEquals(java.time.Duration.ofHours(2), store.ttls.get("k3"), "with a condition");
        gtctl.run("put", META, "k4", "v", "--ttl", "7d");
        assertEquals(java.time.Duration.ofDays(7), store.ttls.get("k4"));
    }

    @Test
    void aBadTtlIsOneUsageErrorAndWritesNothing() {
        for (String bad : List.of("soon", "0s", "-5s", "4000d", "30x")) {
            GtctlRunner.Result r = gtctl.run("put", META, "k", "v", "--ttl", bad);
            assertEquals(2, r.exitCode(), bad);
            assertTrue(r.err().contains("--ttl"), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
        assertEquals(1, gtctl.run("get", META, "k").exitCode(), "nothing was written");
    }

    @Test
    void scanPrintsEveryKeyPageByPageWithPrefixLimitKeysOnlyAndJson() {
        for (int i = 0; i < 2_500; i++) {
            store.preload(String.format("user:%04d", i), "v" + i);
        }
        store.preload("other", "x");
        GtctlRunner.Result all = gtctl.run("scan", META, "--prefix", "user:");
        assertEquals(0, all.exitCode(), all.err());
        List<String> lines = all.out().lines().toList();
        assertEquals(2_500, lines.size(), "three pages of at most 1,000");
        assertEquals("user:0000, v0", lines.get(0));
        assertEquals("user:2499, v2499", lines.get(2_499));
        assertEquals(List.of("other", "user:0000", "user:0001"),
                gtctl.run("scan", META, "--limit", "3", "--keys-only").out().lines().toList());
        assertEquals("{\"key\":\"other\",\"value\":\"x\",\"version\":7}\n",
                gtctl.run("scan", META, "--prefix", "o", "--json").out());
        assertEquals(2, gtctl.run("scan", META, "--limit", "0").exitCode());
    }
}
