package org.gtstore.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gtstore.tests.support.ClusterExtension;
import org.gtstore.tests.support.ClusterProbe;
import org.gtstore.tests.support.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SPEC.md scenario 1, as written: one data server with K = 1; put key1, get it, overwrite it,
 * put key2 and key3; every get returns the latest value, and every answer comes from server1.
 * Runs through the real scripts, as a person at a terminal would. Draining the only server
 * is refused with one line (no other server could hold its replicas) and changes nothing.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SingleServerScenarioIT {
    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension(1, 1);

    @Test
    void everyGetReturnsTheLatestValueFromServer1() {
        TestCluster c = CLUSTER.cluster();
        assertLine("OK, server1", c.script("client", "--put", "key1", "--val", "value1"));
        assertLine("key1, value1, server1", c.script("client", "--get", "key1"));
        assertLine("OK, server1", c.script("client", "--put", "key1", "--val", "value2"));
        assertLine("key1, value2, server1", c.script("client", "--get", "key1"));
        assertLine("OK, server1", c.script("client", "--put", "key2", "--val", "value2"));
        assertLine("OK, server1", c.script("client", "--put", "key3", "--val", "value3"));
        for (String[] kv : List.of(new String[] {"key1", "value2"}, new String[] {"key2", "value2"},
                new String[] {"key3", "value3"})) {
            assertLine(kv[0] + ", " + kv[1] + ", server1", c.script("client", "--get", kv[0]));
        }
    }

    @Test
    void drainingTheOnlyServerIsRefusedAndChangesNothing() {
        TestCluster c = CLUSTER.cluster();
        long epoch = ClusterProbe.map(c).getEpoch();
        c.gtctl("cluster", "drain", "server1").assertOneErrorLine("NOT_ENOUGH_SERVERS");
        assertEquals(epoch, ClusterProbe.map(c).getEpoch(), "a refused drain moved the map");
        assertLine("OK, server1", c.script("client", "--put", "key4", "--val", "value4"));
    }

    static void assertLine(String expected, org.gtstore.tests.support.CliResult r) {
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(expected, r.line(), r.toString());
    }
}
