package org.gtstore.bench.workload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WorkloadTest {
    private static final long SEED = 42;

    private static Workload workload(int ops, int getPercent, int keys) {
        return new Workload(WorkloadConfig.builder().seed(SEED).opCount(ops)
                .getPercent(getPercent).keyCount(keys).build());
    }

    private static int gets(Workload w) {
        int gets = 0;
        for (int i = 0; i < w.opCount(); i++) {
            if (w.type(i) == OpType.GET) {
                gets++;
            }
        }
        return gets;
    }

    @Test
    void defaultsAreTheIssueWorkload() {
        WorkloadConfig c = WorkloadConfig.builder().build();
        assertEquals(200_000, c.opCount());
        assertEquals(50, c.getPercent());
        assertEquals(100_000, c.keyCount());
        assertEquals(32, c.valueBytes());
        assertEquals(KeyDistribution.UNIFORM, c.distribution());
    }

    @Test
    void mixIsWithinHalfAPercentOfTheTarget() {
        for (int percent : new int[] {50, 90, 5}) {
            Workload w = workload(200_000, percent, 100_000);
            double share = 100.0 * gets(w) / w.opCount();
            assertEquals(percent, share, 0.5, "GET share for target " + percent + "%");
        }
    }

    @Test
    void allGetsOrAllPutsAtTheExtremes() {
        assertEquals(10_000, gets(workload(10_000, 100, 10)));
        assertEquals(0, gets(workload(10_000, 0, 10)));
    }

    @Test
    void uniformKeysPassAChiSquareTest() {
        // 200,000 draws over 100 keys: 2,000 expected each. The 0.1% critical value of
        // chi-square with 99 degrees of freedom is 148.2; a skewed sampler lands far above it.
        Workload w = workload(200_000, 50, 100);
        long[] hits = new long[100];
        for (int i = 0; i < w.opCount(); i++) {
            hits[w.keyIndex(i)]++;
        }
        double expected = w.opCount() / 100.0;
        double chiSquare = Arrays.stream(hits)
                .mapToDouble(h -> (h - expected) * (h - expected) / expected).sum();
        assertTrue(chiSquare < 148.2, "chi-square " + chiSquare);
    }

    @Test
    void zipfFollowsOneOverRank() {
        Workload w = new Workload(WorkloadConfig.builder().seed(SEED).opCount(200_000)
                .keyCount(10).distribution(KeyDistribution.ZIPF).zipfExponent(1.0).build());
        long[] hits = new long[10];
        for (int i = 0; i < w.opCount(); i++) {
            hits[w.keyIndex(i)]++;
        }
        double harmonic = 0;
        for (int r = 1; r <= 10; r++) {
            harmonic += 1.0 / r;
        }
        for (int r = 1; r <= 10; r++) {
            double expected = 1.0 / r / harmonic;
            assertEquals(expected, (double) hits[r - 1] / w.opCount(), 0.005, "rank " + r);
        }
    }

    @Test
    void sameSeedGivesTheSameOperationsKeysAndValues() {
        Workload a = workload(50_000, 50, 1_000);
        Workload b = workload(50_000, 50, 1_000);
        for (int i = 0; i < a.opCount(); i++) {
            assertEquals(a.type(i), b.type(i));
            assertEquals(a.keyIndex(i), b.keyIndex(i));
            assertArrayEquals(a.key(i), b.key(i));
        }
        assertArrayEquals(a.putValue(7), b.putValue(7));
        assertArrayEquals(a.preloadValue(7), b.preloadValue(7));
    }

    @Test
    void anotherSeedGivesOtherKeysAndAnotherSequence() {
        Workload a = workload(1_000, 50, 1_000);
        Workload b = new Workload(WorkloadConfig.builder().seed(SEED + 1).opCount(1_000)
                .keyCount(1_000).build());
        assertFalse(Arrays.equals(a.keys().key(0), b.keys().key(0)));
        int sameKeyIndex = 0;
        for (int i = 0; i < a.opCount(); i++) {
            if (a.keyIndex(i) == b.keyIndex(i)) {
                sameKeyIndex++;
            }
        }
        assertTrue(sameKeyIndex < 20, sameKeyIndex + " of 1000 positions agree");
    }

    @Test
    void keysAreDistinctSixteenHexBytes() {
        KeySpace space = new KeySpace(SEED, 100_000);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < space.keyCount(); i++) {
            byte[] key = space.key(i);
            assertEquals(KeySpace.KEY_BYTES, key.length);
            String text = new String(key, StandardCharsets.US_ASCII);
            assertTrue(text.matches("[0-9a-f]{16}"), text);
            assertTrue(seen.add(text), "duplicate key " + text);
        }
    }

    @Test
    void valuesHaveTheConfiguredWidthAndPreloadValuesDifferFromOpValues() {
        Workload w = new Workload(WorkloadConfig.builder().opCount(10).keyCount(10)
                .valueBytes(40).build());
        assertEquals(40, w.putValue(3).length);
        assertEquals(40, w.preloadValue(3).length);
        assertFalse(Arrays.equals(w.putValue(3), w.preloadValue(3)));
        assertFalse(Arrays.equals(w.putValue(3), w.putValue(4)));
        assertEquals(32, new ValueSource(1, 32).value(0).length);
        assertEquals(5, new ValueSource(1, 5).value(0).length);
    }

    @Test
    void rejectsAnOutOfRangeConfigNamingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WorkloadConfig.builder().getPercent(101).build());
        assertTrue(e.getMessage().contains("101"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> WorkloadConfig.builder().keyCount(0).build());
        assertThrows(IllegalArgumentException.class,
                () -> WorkloadConfig.builder().valueBytes(0).build());
        assertThrows(IllegalArgumentException.class,
                () -> WorkloadConfig.builder().zipfExponent(0).build());
        assertThrows(IndexOutOfBoundsException.class, () -> new KeySpace(1, 10).key(10));
    }

    @Test
    void casTakesItsShareFromThePutsAndLeavesTheGetsAsTheyWere() {
        Workload plain = new Workload(WorkloadConfig.builder().seed(3).opCount(10_000)
                .keyCount(100).build());
        Workload mixed = new Workload(WorkloadConfig.builder().seed(3).opCount(10_000)
                .keyCount(100).casPercent(10).build());
        int cas = 0;
        for (int i = 0; i < 10_000; i++) {
            assertEquals(plain.type(i) == OpType.GET, mixed.type(i) == OpType.GET, "op " + i);
            assertEquals(plain.keyIndex(i), mixed.keyIndex(i));
            cas += mixed.type(i) == OpType.CAS ? 1 : 0;
        }
        assertEquals(1_000, cas, 150);
        assertThrows(IllegalArgumentException.class,
                () -> WorkloadConfig.builder().getPercent(95).casPercent(10).build());
    }
}
