package org.gtstore.bench.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ProcStatTest {
    @Test
    void readsCommAndUserAndSystemTicksOfAPlainLine() {
        ProcStat s = ProcStat.parse("17105 (java) S 17100 17100 3437 0 -1 4194304 99 0 0 0"
                + " 1234 567 0 0 20 0 41 0 52229 3133440 358 18446744073709551615\n");
        assertEquals(17105, s.pid());
        assertEquals("java", s.comm());
        assertEquals(1234, s.userTicks());
        assertEquals(567, s.systemTicks());
        assertEquals(1801, s.cpuTicks());
    }

    @Test
    void aCommWithSpacesAndParenthesesEndsAtTheLastParenthesis() {
        ProcStat s = ProcStat.parse("4242 (C2 CompilerThre) S 1 1 1 0 -1 0 0 0 0 0 900 30 0 0"
                + " 20 0 1 0 1 1 1 1");
        assertEquals("C2 CompilerThre", s.comm());
        assertEquals(930, s.cpuTicks());
        ProcStat odd = ProcStat.parse("7 (a) b (c)) R 1 1 1 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0");
        assertEquals("a) b (c)", odd.comm());
        assertEquals(5, odd.userTicks());
        assertEquals(6, odd.systemTicks());
    }

    @Test
    void somethingElseIsRejectedWithTheLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProcStat.parse("no parentheses here"));
        assertEquals("not a /proc stat line: no parentheses here", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ProcStat.parse("1 (x) S 1 2 3"));
        assertThrows(IllegalArgumentException.class,
                () -> ProcStat.parse("1 (x) S 1 1 1 0 -1 0 0 0 0 0 u s 0 0"));
    }
}
