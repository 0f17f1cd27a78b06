package org.gtstore.bench.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ProcStatusTest {
    static final String SAMPLE = "Name:\tjava\nUmask:\t0022\nState:\tS (sleeping)\n"
            + "Pid:\t4242\nVmPeak:\t 9000000 kB\nVmSize:\t 8000000 kB\nVmHWM:\t  310272 kB\n"
            + "VmRSS:\t  297000 kB\nRssAnon:\t  250000 kB\nThreads:\t41\n";

    @Test
    void readsCurrentAndPeakResidentMemory() {
        ProcStatus s = ProcStatus.parse(SAMPLE);
        assertEquals(297_000, s.rssKiB());
        assertEquals(310_272, s.peakRssKiB());
    }

    @Test
    void aStatusWithoutMemoryIsRejected() {
        // A kernel thread's status has no Vm lines.
        assertThrows(IllegalArgumentException.class,
                () -> ProcStatus.parse("Name:\tkthreadd\nPid:\t2\n"));
        assertThrows(IllegalArgumentException.class,
                () -> ProcStatus.parse("VmHWM:\t 1 MB\nVmRSS:\t 1 kB\n"));
    }
}
