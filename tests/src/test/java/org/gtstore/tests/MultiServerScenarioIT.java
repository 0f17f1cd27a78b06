package org.gtstore.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gtstore.tests.support.CliResult;
import org.gtstore.tests.support.ClusterExtension;
import org.gtstore.tests.support.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SPEC.md scenario 2, as written: 5 data servers with K = 3, the same trace as scenario 1; keys
 * land on different primaries, and server ids are self-consistent: while nothing fails the same
 * key always reports the same primary (its chain's head) and the same reader (its tail), as the
 * map says.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MultiServerScenarioIT {
    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension(5, 3);

    private static final Pattern OK = Pattern.compile("OK, (server\\d+)");
    private static final Pattern VERBOSE = Pattern.compile(
            "OK, (server\\d+) \\(chain (server\\d+) -> (server\\d+) -> (server\\d+), epoch \\d+\\)");

    @Test
    void scenarioTraceWithConsistentServerIds() {
        TestCluster c = CLUSTER.cluster();
        String primary1 = okServer(c.script("client", "--put", "key1", "--val", "value1"));
        String reader1 = getServer(c.script("client", "--get", "key1"), "key1", "value1");
        assertNotEquals(primary1, reader1, "with K = 3 the tail is not the head");
        assertEquals(primary1, okServer(c.script("client", "--put", "key1", "--val", "value2")));
        assertEquals(reader1, getServer(c.script("client", "--get", "key1"), "key1", "value2"));
        okServer(c.script("client", "--put", "key2", "--val", "value2"));
        okServer(c.script("client", "--put", "key3", "--val", "value3"));
        assertEquals(reader1, getServer(c.script("client", "--get", "key1"), "key1", "value2"));
        getServer(c.script("client", "--get", "key2"), "key2", "value2");
        getServer(c.script("client", "--get", "key3"), "key3", "value3");
    }

    @Test
    void keysLandOnDifferentPrimariesAndReportTheirChain() {
        // In process (same code path as the scripts, without a JVM start per command).
        TestCluster c = CLUSTER.cluster();
        Map<String, List<String>> chains = new LinkedHashMap<>();
        Set<String> primaries = new HashSet<>();
        for (int i = 1; i <= 20; i++) {
            String key = "spread-" + i;
            CliResult put = c.gtctl("put", key, "v" + i, "--verbose");
            Matcher m = VERBOSE.matcher(put.line());
            assertTrue(m.matches(), put.toString());
            List<String> chain = List.of(m.group(2), m.group(3), m.group(4));
            assertEquals(m.group(1), chain.get(0), "the primary is the chain's head: " + put);
            assertEquals(3, new HashSet<>(chain).size(), "no server twice in a chain: " + put);
            primaries.add(m.group(1));
            chains.put(key, chain);
        }
        assertTrue(primaries.size() >= 3, "20 keys on 5 servers should use several primaries: "
                + primaries);
        Map<String, String> readers = new HashMap<>();
        for (int round = 0; round < 2; round++) {
            for (Map.Entry<String, List<String>> e : chains.entrySet()) {
                String key = e.getKey();
                String reader = getServer(c.gtctl("get", key), key, "v" + key.substring(7));
                assertEquals(e.getValue().get(2), reader, "the tail answers reads of " + key);
                String before = readers.putIfAbsent(key, reader);
                assertTrue(before == null || before.equals(reader), "same reader for " + key);
            }
        }
    }

    private static String okServer(CliResult r) {
        assertEquals(0, r.exitCode(), r.toString());
        Matcher m = OK.matcher(r.line());
        assertTrue(m.matches(), r.toString());
        return m.group(1);
    }

    private static String getServer(CliResult r, String key, String value) {
        assertEquals(0, r.exitCode(), r.toString());
        Matcher m = Pattern.compile(Pattern.quote(key + ", " + value + ", ") + "(server\\d+)")
                .matcher(r.line());
        assertTrue(m.matches(), r.toString());
        return m.group(1);
    }
}
