package org.gtstore.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
 * SPEC.md scenario 4, as written: 7 data servers with K = 3; insert about 20 keys over at least
 * 4 primaries; overwrite at least 3; kill 2 servers; every get returns the newest value. The two
 * killed servers are the head and the tail of one overwritten key's chain, the hardest pair for
 * chain repair: that chain keeps only its middle, which must become head and tail at once.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TwoFailuresScenarioIT {
    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension(7, 3);

    private static final Pattern VERBOSE = Pattern.compile(
            "OK, (server\\d+) \\(chain (server\\d+) -> (server\\d+) -> (server\\d+), epoch \\d+\\)");

    @Test
    void everyGetReturnsTheNewestValueAfterTwoServersAreKilled() {
        TestCluster c = CLUSTER.cluster();
        Map<String, String> newest = new LinkedHashMap<>();
        Map<String, List<String>> chains = new LinkedHashMap<>();
        Set<String> primaries = new TreeSet<>();
        for (int i = 1; i <= 20; i++) {
            put(c, newest, chains, primaries, "key" + i, "value" + i);
        }
        assertTrue(primaries.size() >= 4, "20 keys over at least 4 primaries: " + primaries);
        for (int i = 1; i <= 5; i++) {
            put(c, newest, chains, primaries, "key" + i, "value" + i + "-overwritten");
        }

        List<String> chain = chains.get("key1");
        c.launcher().kill(chain.get(0));
        c.launcher().kill(chain.get(2));

        for (Map.Entry<String, String> e : newest.entrySet()) {
            CliResult get = c.gtctl("get", e.getKey());
            assertEquals(0, get.exitCode(), get.toString());
            Matcher m = Pattern.compile(Pattern.quote(e.getKey() + ", " + e.getValue() + ", ")
                    + "(server\\d+)").matcher(get.line());
            assertTrue(m.matches(), "newest value of " + e.getKey() + ": " + get);
            assertTrue(!m.group(1).equals(chain.get(0)) && !m.group(1).equals(chain.get(2)),
                    "answered by a killed server: " + get);
        }
    }

    private static void put(TestCluster c, Map<String, String> newest,
            Map<String, List<String>> chains, Set<String> primaries, String key, String value) {
        CliResult r = c.gtctl("put", key, value, "--verbose");
        assertEquals(0, r.exitCode(), r.toString());
        Matcher m = VERBOSE.matcher(r.line());
        assertTrue(m.matches(), r.toString());
        newest.put(key, value);
        primaries.add(m.group(1));
        chains.put(key, List.of(m.group(2), m.group(3), m.group(4)));
    }
}
