package org.gtstore.bench.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CostMeterTest {
    private static final MeasuredProcess CLIENT =
            new MeasuredProcess(ProcessKind.CLIENT, "client", 1);
    private static final MeasuredProcess SERVER =
            new MeasuredProcess(ProcessKind.DATA_SERVER, "server1", 2);
    private static final MeasuredProcess META =
            new MeasuredProcess(ProcessKind.METADATA, "meta1", 3);

    @TempDir
    Path dir;

    @Test
    void cpuPerOperationIsEveryProcessesTicksOverTheOpsSplitByKind() {
        // Goal: 100 ticks/s make a tick 10,000 us; 42 ticks over 1,000 ops are 420 us/op,
        // and the compiler thread's 6 of them 14.3%.
        FakeProc proc = new FakeProc(dir);
        proc.process(1, 100, 10, 200_000, 210_000).process(2, 500, 100, 300_000, 310_000)
                .thread(2, 20, "C2 CompilerThre", 100).process(3, 50, 5, 230_000, 240_000);
        CostMeter meter = CostMeter.of(proc.fs(), 100, ClusterProbe.NONE,
                List.of(CLIENT, SERVER, META));
        CpuSample before = meter.cpu(true);
        proc.process(1, 108, 12, 201_000, 210_000).process(2, 525, 105, 301_000, 320_000)
                .thread(2, 20, "C2 CompilerThre", 106).process(3, 51, 6, 231_000, 240_000);
        CpuSample after = meter.cpu(true);
        RunCost c = meter.cost(1_000, before, after, Map.of(), Map.of());
        assertEquals(420.0, c.cpuUsPerOp(), 1e-9);
        assertEquals(100.0, c.cpuUsPerOp(ProcessKind.CLIENT), 1e-9);
        assertEquals(300.0, c.cpuUsPerOp(ProcessKind.DATA_SERVER), 1e-9);
        assertEquals(20.0, c.cpuUsPerOp(ProcessKind.METADATA), 1e-9);
        assertEquals(100.0 * 6 / 42, c.compilerCpuPercent(), 1e-9);
        assertEquals((301_000 + 231_000) / 1024.0, c.clusterRssMiB(), 1e-9);
        assertEquals((320_000 + 240_000) / 1024.0, c.clusterPeakRssMiB(), 1e-9);
        assertEquals(List.of(new ProcessMemory(CLIENT, 201_000, 210_000)),
                c.memoryOf(ProcessKind.CLIENT));
        assertEquals(List.of(), c.notes());
    }

    @Test
    void aProcessThatEndsDuringTheRunDropsOutWithANote() throws IOException {
        FakeProc proc = new FakeProc(dir);
        proc.process(1, 100, 0, 1024, 1024).process(3, 50, 0, 1024, 1024);
        CostMeter meter = CostMeter.of(proc.fs(), 100, ClusterProbe.NONE, List.of(CLIENT, META));
        CpuSample before = meter.cpu(false);
        proc.process(1, 110, 0, 1024, 1024);
        deleteTree(dir.resolve("3"));
        RunCost c = meter.cost(100, before, meter.cpu(false), Map.of(), Map.of());
        assertEquals(1000.0, c.cpuUsPerOp(), 1e-9, "only the client's 10 ticks");
        assertEquals(List.of("meta1 (pid 3) ended during the run"), c.notes());
        assertEquals(0.0, c.clusterRssMiB());
    }

    @Test
    void serverCountsAreTheGrowthOfTheServersReadBothTimes() {
        Map<String, ServerCounts> before = Map.of(
                "server1", new ServerCounts(10, 5, 5, 20, 3, 9),
                "server2", new ServerCounts(1, 1, 1, 1, 1, 1));
        Map<String, ServerCounts> after = Map.of(
                "server1", new ServerCounts(40, 20, 15, 80, 13, 29),
                "server9", new ServerCounts(100, 100, 100, 100, 100, 100));
        ServerCounts sent = CostMeter.sentBetween(before, after);
        assertEquals(new ServerCounts(30, 15, 10, 60, 10, 20), sent);
        assertEquals(2.0, sent.messagesPerFlush());
        assertEquals(6.0, sent.updatesPerMessage());
        assertEquals(2.0, sent.repliesPerMessage());
        assertEquals(0.0, ServerCounts.ZERO.messagesPerFlush(), "nothing flushed is 0, not NaN");
    }

    @Test
    void thisJvmIsMeasuredForReal() {
        CostMeter meter = CostMeter.open(ClusterProbe.NONE);
        if (meter.processes().isEmpty()) {
            return; // No /proc here.
        }
        assertEquals(List.of(MeasuredProcess.self()), meter.processes());
        CpuSample before = meter.cpu(true);
        long x = 0;
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        while (System.nanoTime() < end) {
            x += Long.numberOfTrailingZeros(x + System.nanoTime());
        }
        RunCost c = meter.cost(1, before, meter.cpu(true), Map.of(), Map.of());
        assertTrue(c.cpuUsPerOp() > 0, "200 ms of spinning cost no CPU? " + c + x);
        assertTrue(c.memoryOf(ProcessKind.CLIENT).get(0).rssKiB() > 0);
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
