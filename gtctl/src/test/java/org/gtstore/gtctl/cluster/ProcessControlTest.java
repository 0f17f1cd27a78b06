package org.gtstore.gtctl.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Members run in a session of their own, under their own pid (Linux: read from /proc). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProcessControlTest {
    @TempDir
    Path dir;

    /** Fields 5 and 6 of /proc/PID/stat: the process group and the session. */
    private static long[] groupAndSession(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(f[2]), Long.parseLong(f[3])};
    }

    @Test
    void memberRunsInASessionOfItsOwnSoACtrlCForGtctlDoesNotReachIt() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setsid"))
                && Files.exists(Path.of("/proc/self/stat")), "needs setsid(1) and /proc");
        Process p = ProcessControl.launch(List.of("sleep", "30"), dir, dir.resolve("log"));
        try {
            long pid = p.pid();
            // setsid may not have exec'd yet: wait until the pid runs sleep.
            Path cmdline = Path.of("/proc/" + pid + "/cmdline");
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8)
                    .startsWith("sleep") && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            assertTrue(new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8)
                    .startsWith("sleep"), "the member keeps the launched pid");
            long[] member = groupAndSession(pid);
            assertEquals(pid, member[0], "its own process group");
            assertEquals(pid, member[1], "its own session");
            assertNotEquals(groupAndSession(ProcessHandle.current().pid())[1], member[1]);
        } finally {
            ProcessControl.killNow(p.toHandle(), Duration.ofSeconds(5));
        }
    }
}
