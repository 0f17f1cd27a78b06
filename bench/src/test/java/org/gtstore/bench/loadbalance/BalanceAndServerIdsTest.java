package org.gtstore.bench.loadbalance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BalanceAndServerIdsTest {
    @Test
    void serverIdsSortByTheirNumberNotAsText() {
        List<String> ids = new ArrayList<>(
                List.of("server10", "server2", "server1", "meta1", "server02", "server9"));
        ids.sort(ServerIds.NATURAL_ORDER);
        assertEquals(List.of("meta1", "server1", "server02", "server2", "server9", "server10"),
                ids);
    }

    @Test
    void maxAndMinOverMean() {
        BalanceStats s = BalanceStats.of(Map.of("a", 110L, "b", 100L, "c", 90L));
        assertEquals(300, s.total());
        assertEquals(100.0, s.mean());
        assertEquals(1.10, s.maxOverMean(), 1e-12);
        assertEquals(0.90, s.minOverMean(), 1e-12);
    }

    @Test
    void emptyOrZeroCountsGiveZerosNotNaN() {
        assertEquals(0.0, BalanceStats.of(Map.of()).maxOverMean());
        assertEquals(0.0, BalanceStats.of(Map.of("a", 0L)).minOverMean());
    }

    @Test
    void disagreementsNameTheServerAndBothCounts() {
        List<String> notes = LoadBalanceBenchmark.disagreements("servers",
                Map.of("server1", 5L, "server2", 7L), "map", Map.of("server1", 5L, "server3", 7L));
        assertEquals(List.of("server2: servers say 7 keys, map says 0",
                "server3: servers say 0 keys, map says 7"), notes);
    }
}
