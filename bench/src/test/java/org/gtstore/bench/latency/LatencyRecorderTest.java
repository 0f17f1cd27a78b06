package org.gtstore.bench.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.TimeUnit;
import org.gtstore.bench.workload.OpType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LatencyRecorderTest {
    @Test
    void percentilesOfOneToAThousandMicroseconds() {
        LatencyRecorder recorder = new LatencyRecorder();
        for (long us = 1000; us >= 1; us--) {
            recorder.record(OpType.GET, TimeUnit.MICROSECONDS.toNanos(us));
        }
        LatencySummary get = recorder.summary(OpType.GET);
        assertEquals(1000, get.count());
        assertEquals(1, get.minUs());
        assertEquals(500, get.p50Us());
        assertEquals(900, get.p90Us());
        assertEquals(990, get.p99Us());
        assertEquals(999, get.p999Us());
        assertEquals(1000, get.maxUs());
        assertEquals(500.5, get.meanUs(), 0.5);
    }

    @Test
    void getAndPutAreKeptApart() {
        LatencyRecorder recorder = new LatencyRecorder();
        recorder.record(OpType.PUT, 2_000_000); // 2 ms
        recorder.record(OpType.PUT, 2_000_000);
        recorder.record(OpType.GET, 10_000); // 10 us
        assertEquals(2, recorder.summary(OpType.PUT).count());
        assertEquals(2000, recorder.summary(OpType.PUT).p50Us());
        assertEquals(1, recorder.summary(OpType.GET).count());
        assertEquals(10, recorder.summary(OpType.GET).maxUs());
    }

    @Test
    void nanosecondsAreTruncatedToMicroseconds() {
        LatencyRecorder recorder = new LatencyRecorder();
        recorder.record(OpType.GET, 1_999);
        assertEquals(1, recorder.summary(OpType.GET).maxUs());
    }

    @Test
    void largeValuesKeepThreeSignificantDigits() {
        LatencyRecorder recorder = new LatencyRecorder();
        recorder.record(OpType.GET, TimeUnit.SECONDS.toNanos(12));
        long max = recorder.summary(OpType.GET).maxUs();
        assertEquals(12_000_000, max, 12_000_000 / 1000.0);
    }

    @Test
    void latenciesBeyondTheRangeCountAsItsTop() {
        LatencyRecorder recorder = new LatencyRecorder();
        recorder.record(OpType.PUT, TimeUnit.MINUTES.toNanos(5));
        recorder.record(OpType.PUT, 0);
        long max = recorder.summary(OpType.PUT).maxUs();
        assertEquals(LatencyRecorder.HIGHEST_US, max, LatencyRecorder.HIGHEST_US / 1000.0);
    }

    @Test
    void emptyHistogramSummarisesToZeros() {
        assertEquals(LatencySummary.EMPTY, new LatencyRecorder().summary(OpType.PUT));
    }

    @Test
    void rejectsNegativeLatency() {
        assertThrows(IllegalArgumentException.class,
                () -> new LatencyRecorder().record(OpType.GET, -1));
    }
}
