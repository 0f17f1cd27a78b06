package org.gtstore.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * SPEC.md scenario 3, as written: 3 data servers with K = 2; put key1 twice; insert keys until
 * 3 are on the same primary serverX; kill -9 serverX; every get returns the newest value, served
 * by another server, without the person doing anything (the client's cached map names the dead
 * server, so it must time out quickly, fetch a new map and retry).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class OneFailureScenarioIT {
    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension(3, 2);

    static final Pattern OK = Pattern.compile("OK, (server\\d+)");

    @Test
    void everyGetReturnsTheNewestValueAfterThePrimaryIsKilled() {
        TestCluster c = CLUSTER.cluster();
        Map<String, String> newest = new LinkedHashMap<>();
        Map<String, List<String>> byPrimary = new HashMap<>();
        put(c, newest, byPrimary, "key1", "value1");
        put(c, newest, byPrimary, "key1", "value2");
        String serverX = null;
        for (int i = 2; serverX == null && i < 200; i++) {
            String primary = put(c, newest, byPrimary, "key" + i, "value" + i);
            if (byPrimary.get(primary).size() >= 3) {
                serverX = primary;
            }
        }
        assertNotNull(serverX, "no server became primary of 3 keys: " + byPrimary);

        c.launcher().kill(serverX); // SIGKILL, like kill -9 <pid>

        for (Map.Entry<String, String> e : newest.entrySet()) {
            CliResult get = c.script("client", "--get", e.getKey());
            assertEquals(0, get.exitCode(), get.toString());
            Matcher m = Pattern.compile(Pattern.quote(e.getKey() + ", " + e.getValue() + ", ")
                    + "(server\\d+)").matcher(get.line());
            assertTrue(m.matches(), "newest value of " + e.getKey() + ": " + get);
            assertNotEquals(serverX, m.group(1), "answered by the killed server: " + get);
        }
    }

    /** Puts through the real script and returns the primary that accepted the write. */
    static String put(TestCluster c, Map<String, String> newest, Map<String, List<String>> byPrimary,
            String key, String value) {
        CliResult r = c.script("client", "--put", key, "--val", value);
        assertEquals(0, r.exitCode(), r.toString());
        Matcher m = OK.matcher(r.line());
        assertTrue(m.matches(), r.toString());
        newest.put(key, value);
        List<String> keys = byPrimary.computeIfAbsent(m.group(1), s -> new ArrayList<>());
        if (!keys.contains(key)) {
            keys.add(key);
        }
        return m.group(1);
    }
}
