package org.gtstore.tests.history;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RegisterCheckerTest {
    private final List<Op> ops = new ArrayList<>();

    private void write(String v, long from, long to) {
        ops.add(new Op(ops.size(), "k", Op.Kind.WRITE, v, from, to));
    }

    private void read(String v, long from, long to) {
        ops.add(new Op(ops.size(), "k", Op.Kind.READ, v, from, to));
    }

    private void cas(String expected, String v, long from, long to) {
        ops.add(new Op(ops.size(), "k", Op.Kind.CAS, v, from, to, expected));
    }

    private void casFailed(String expected, String saw, long from, long to) {
        ops.add(new Op(ops.size(), "k", Op.Kind.CAS_FAILED, saw, from, to, expected));
    }

    private boolean ok() {
        return RegisterChecker.check(ops).isEmpty();
    }

    @Test
    void acceptsSequentialHistory() {
        read(null, 0, 1);
        write("a", 2, 3);
        read("a", 4, 5);
        write("b", 6, 7);
        read("b", 8, 9);
        assertTrue(ok());
    }

    @Test
    void rejectsStaleReadAfterAcknowledgedWrite() {
        // The newest value was acknowledged before the read began: reading the old one is the
        // lost-update bug a broken chain repair produces.
        write("a", 0, 1);
        write("b", 2, 3);
        read("a", 4, 5);
        assertFalse(ok());
    }

    @Test
    void rejectsReadOfValueNeverWritten() {
        write("a", 0, 1);
        read("x", 2, 3);
        assertFalse(ok());
    }

    @Test
    void rejectsNotFoundAfterAcknowledgedWrite() {
        write("a", 0, 1);
        read(null, 2, 3);
        assertFalse(ok());
    }

    @Test
    void acceptsEitherValueForReadConcurrentWithWrite() {
        write("a", 0, 1);
        write("b", 2, 10);
        read("a", 3, 4);
        read("b", 5, 6);
        assertTrue(ok());
    }

    @Test
    void rejectsReadsThatGoBackInTime() {
        // Two sequential reads during one write: once b is seen, a may not come back.
        write("a", 0, 1);
        write("b", 2, 10);
        read("b", 3, 4);
        read("a", 5, 6);
        assertFalse(ok());
    }

    @Test
    void acceptsUnknownWriteThatTookEffect() {
        write("a", 0, 1);
        write("b", 2, Op.UNKNOWN);
        read("b", 5, 6);
        read("b", 7, 8);
        assertTrue(ok());
    }

    @Test
    void acceptsUnknownWriteThatNeverTookEffect() {
        write("a", 0, 1);
        write("b", 2, Op.UNKNOWN);
        read("a", 5, 6);
        read("a", 7, 8);
        assertTrue(ok());
    }

    @Test
    void rejectsUnknownWriteFlickering() {
        write("a", 0, 1);
        write("b", 2, Op.UNKNOWN);
        read("b", 5, 6);
        read("a", 7, 8);
        assertFalse(ok());
    }

    @Test
    void checksKeysIndependently() {
        ops.add(new Op(0, "x", Op.Kind.WRITE, "1", 0, 1));
        ops.add(new Op(1, "y", Op.Kind.WRITE, "2", 2, 3));
        ops.add(new Op(2, "x", Op.Kind.READ, "1", 4, 5));
        ops.add(new Op(3, "y", Op.Kind.READ, "1", 4, 5));
        var violation = RegisterChecker.check(ops);
        assertTrue(violation.isPresent());
        assertTrue(violation.get().key().equals("y"), violation.get().toString());
    }

    @Test
    void acceptsLargeRandomLinearizableHistories() {
        // Histories generated from a real register with random overlapping intervals around
        // each operation's linearization point are linearizable by construction.
        for (long seed = 1; seed <= 30; seed++) {
            ops.clear();
            generate(new Random(seed), 300, false);
            assertTrue(ok(), "seed " + seed);
        }
    }

    @Test
    void rejectsRandomHistoriesWithOneCorruptedRead() {
        // A corrupted read returns a value that was never written: always a violation.
        for (long seed = 1; seed <= 30; seed++) {
            ops.clear();
            generate(new Random(seed), 300, true);
            assertFalse(ok(), "seed " + seed);
        }
    }

    /**
     * Generates a history from a register: each operation takes effect at a distinct instant
     * (10 apart) and its interval stretches randomly around it, so operations overlap.
     * With corrupt, one read returns a value never written.
     */
    private void generate(Random random, int count, boolean corrupt) {
        String register = null;
        int corruptAt = corrupt ? random.nextInt(count) : -1;
        boolean corrupted = false;
        for (int i = 0; i < count; i++) {
            long point = 1_000 + i * 10L;
            long from = point - random.nextInt(40);
            long to = point + random.nextInt(40);
            if (random.nextBoolean()) {
                register = "v" + i;
                boolean unknown = random.nextInt(20) == 0;
                write(register, from, unknown ? Op.UNKNOWN : to);
            } else if (i == corruptAt) {
                read("never-written", from, to);
                corrupted = true;
            } else {
                read(register, from, to);
            }
        }
        if (corrupt && !corrupted) {
            read("never-written", 100_000, 100_001);
        }
    }

    @Test
    void acceptsCompareAndSetsThatChainAndAConflictThatSawTheValueOfItsMoment() {
        cas(null, "1", 0, 1);
        cas("1", "2", 2, 5);
        casFailed("1", "2", 3, 6);     // overlaps the second: it saw "2" after it
        cas("2", "3", 7, 8);
        read("3", 9, 10);
        assertTrue(ok());
    }

    @Test
    void rejectsTwoCompareAndSetsFromTheSameValueBothSucceeding() {
        // The lost update compare-and-set exists to prevent: two increments from "1".
        cas(null, "1", 0, 1);
        cas("1", "2", 2, 4);
        cas("1", "2'", 3, 5);
        assertFalse(ok());
    }

    @Test
    void rejectsAConflictThatSawAValueNeverCurrentInItsInterval() {
        cas(null, "1", 0, 1);
        cas("1", "2", 2, 3);
        casFailed("1", "1", 4, 5);     // "1" was gone before it began
        assertFalse(ok());
    }

    @Test
    void rejectsAConflictWhenTheValueItExpectedWasThere() {
        cas(null, "1", 0, 1);
        casFailed("1", "1", 2, 3);
        assertFalse(ok());
    }

    @Test
    void aCompareAndSetWithAnUnknownOutcomeMayHaveWrittenOrNot() {
        cas(null, "1", 0, 1);
        cas("1", "2", 2, Op.UNKNOWN);
        read("1", 3, 4);
        read("2", 5, 6);
        assertTrue(ok());
        ops.clear();
        cas(null, "1", 0, 1);
        write("x", 2, 3);
        cas("1", "2", 4, Op.UNKNOWN);  // found "x": did nothing
        read("x", 5, 6);
        assertTrue(ok());
    }
}
