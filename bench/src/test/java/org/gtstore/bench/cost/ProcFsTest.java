package org.gtstore.bench.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ProcFsTest {
    @TempDir
    Path dir;

    @Test
    void readsAProcessAndOnlyTheJitCompilerThreadsOfIt() {
        FakeProc proc = new FakeProc(dir).process(100, 700, 50, 2048, 4096)
                .thread(100, 101, "C2 CompilerThre", 300)
                .thread(100, 102, "C1 CompilerThre", 40)
                .thread(100, 103, "gtstore-io-serv", 200);
        ProcFs fs = proc.fs();
        assertEquals(750, fs.stat(100).orElseThrow().cpuTicks());
        assertEquals(new ProcStatus(2048, 4096), fs.status(100).orElseThrow());
        assertEquals(Map.of(101L, 300L, 102L, 40L), fs.compilerThreadTicks(100));
    }

    @Test
    void aProcessThatHasGoneReadsAsEmpty() {
        ProcFs fs = new FakeProc(dir).fs();
        assertTrue(fs.stat(4242).isEmpty());
        assertTrue(fs.status(4242).isEmpty());
        assertEquals(Map.of(), fs.compilerThreadTicks(4242));
    }

    @Test
    void thisMachineReadsThisJvm() {
        ProcFs fs = ProcFs.system();
        if (!fs.isAvailable()) {
            return; // Not Linux: nothing to read.
        }
        long pid = ProcessHandle.current().pid();
        assertEquals(pid, fs.stat(pid).orElseThrow().pid());
        assertTrue(fs.status(pid).orElseThrow().peakRssKiB() > 0);
        assertTrue(ProcFs.clockTicksPerSecond() > 0);
    }
}
