package org.gtstore.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gtstore.bench.cost.RunCost;
import org.gtstore.bench.latency.LatencySummary;
import org.gtstore.bench.throughput.ThroughputResult;
import org.gtstore.bench.throughput.WarmupResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TextReportTest {
    private static final String NL = System.lineSeparator();

    @Test
    void histogramScalesBarsToTheLargestCountRounded() {
        // 1,000 of 1,500 is 6.7 of 10 columns: 7; 500 is 3.3: 3.
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("server1", 1_000L);
        counts.put("server2", 500L);
        counts.put("server10", 1_500L);
        assertEquals(String.join(NL,
                "server1   #######     1,000  1.000",
                "server2   ###           500  0.500",
                "server10  ##########  1,500  1.500", ""),
                TextHistogram.render(counts, 10));
    }

    @Test
    void histogramOfZeroesDrawsNoBars() {
        assertEquals("a        0  0.000" + NL,
                TextHistogram.render(Map.of("a", 0L), 4));
    }

    @Test
    void throughputTableHasOneAlignedLinePerK() {
        String table = SummaryTable.throughput(ReportFixtures.threeRows());
        String[] lines = table.split(NL);
        assertEquals("  K        ops/s  errors  CPU us/op |   GET p50       p90       p99"
                + "     p99.9 |   PUT p50       p90       p99     p99.9", lines[0]);
        assertEquals("  1      103,246       0       95.1 |       401       901     1,501"
                + "     4,001 |       601     1,201     2,501     7,001", lines[1]);
        assertEquals(lines[0].length(), lines[3].length());
        assertEquals("latencies in microseconds; CPU us/op: microseconds of CPU of every"
                + " cluster process and the client per measured operation", lines[4]);
        assertEquals(5 + 3 * 4, lines.length, table);
    }

    @Test
    void throughputReportSaysHowTheWarmUpEndedAndWhatEachKCost() {
        String[] lines = SummaryTable.throughput(List.of(ReportFixtures.row(3, 45_100, 0)))
                .split(NL);
        assertEquals("K=3 warm-up: stable after 412,000 ops in 31.2 s (13,050-13,610 ops/s,"
                + " 88-92 us CPU/op, JIT <= 4%)", lines[3]);
        assertEquals("K=3 CPU us/op: 95.1 = client 20.5 + data servers 70.3 + metadata 4.4;"
                + " JIT compilers 5% of it", lines[4]);
        assertEquals("K=3 chain: 1.30 msgs/flush, 1.10 updates/msg; client replies 2.10/msg",
                lines[5]);
        assertEquals("K=3 RSS MiB: cluster 820 (sum of peaks 855); data servers 2 x 290-300"
                + " (peak max 310); metadata 230 (peak 240); client 200 (peak 210)", lines[6]);
    }

    @Test
    void throughputTableStaysAlignedWithSecondsOfLatency() {
        LatencySummary slow = new LatencySummary(10, 1, 1_209_343, 2_338_815, 9_999_999,
                9_999_999, 9_999_999, 2e6);
        ThroughputRow row = new ThroughputRow(1, new ThroughputResult(10, 0, 0, 1_000_000_000L,
                10.0, slow, slow, List.of(), WarmupResult.NONE, RunCost.unmeasured(10, "none")));
        String[] lines = SummaryTable.throughput(List.of(row)).split(NL);
        assertEquals(lines[0].length(), lines[1].length(), lines[1]);
    }

    @Test
    void throughputTableListsErrorSamples() {
        String table = SummaryTable.throughput(List.of(ReportFixtures.row(3, 1_000, 2)));
        assertTrue(table.contains("K=3 error: TimeoutException: slow"), table);
    }

    @Test
    void loadBalanceReportShowsHistogramRatiosAndSource() {
        String report = SummaryTable.loadBalance(ReportFixtures.loadBalance(), 10);
        String[] lines = report.split(NL);
        assertEquals("keys per primary server (4,000 keys, counted by server stats, map epoch 12)",
                lines[0]);
        assertTrue(lines[1].startsWith("server1   #########  "), lines[1]);
        assertTrue(lines[4].startsWith("server10  ########   "), lines[4]);
        assertEquals("max/mean 1.100  min/mean 0.900  errors 0", lines[5]);
    }
}
