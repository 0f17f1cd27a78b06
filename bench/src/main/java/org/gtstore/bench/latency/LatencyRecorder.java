package org.gtstore.bench.latency;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.ConcurrentHistogram;
import org.gtstore.bench.workload.OpType;

/**
 * Per-operation latencies for GET and PUT, kept apart, in microseconds with 3 significant digits.
 *
 * <p>Completions arrive on the client's threads (gRPC event loops), so the histograms are
 * HdrHistogram's {@link ConcurrentHistogram}: recording is wait-free and does not allocate once
 * the histogram has grown to the largest value seen. Latencies are recorded as measured, from
 * issuing the request to its completion; the runner is closed-loop, so this is the service time
 * a client with that many requests in flight sees (there is no coordinated-omission correction,
 * as there is no intended send schedule to correct against).
 */
public final class LatencyRecorder {
    private static final int SIGNIFICANT_DIGITS = 3;

    private final ConcurrentHistogram get = new ConcurrentHistogram(SIGNIFICANT_DIGITS);
    private final ConcurrentHistogram put = new ConcurrentHistogram(SIGNIFICANT_DIGITS);

    public void record(OpType type, long latencyNs) {
        if (latencyNs < 0) {
            throw new IllegalArgumentException("latencyNs < 0: " + latencyNs);
        }
        long micros = TimeUnit.NANOSECONDS.toMicros(latencyNs);
        (type == OpType.GET ? get : put).recordValue(micros);
    }

    public LatencySummary summary(OpType type) {
        ConcurrentHistogram histogram = type == OpType.GET ? get : put;
        return LatencySummary.of(histogram.copy());
    }
}
