package org.gtstore.bench.latency;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.ConcurrentHistogram;
import org.gtstore.bench.workload.OpType;

/**
 * Per-operation latencies for GET, PUT and CAS, kept apart, in microseconds with 3
 * significant digits.
 *
 * <p>Completions arrive on the client's threads (gRPC event loops), so the histograms are
 * HdrHistogram's {@link ConcurrentHistogram}: recording is wait-free and never allocates. The
 * range is fixed (up to {@link #HIGHEST_US}, longer latencies are recorded as that), so a
 * histogram never resizes: a resize while measuring stalls the recording threads, and its first
 * one made C2 discard the recording code the warm-up had compiled. Latencies are recorded as
 * measured, from issuing the request to its completion; the runner is closed-loop, so this is
 * the service time a client with that many requests in flight sees (there is no
 * coordinated-omission correction, as there is no intended send schedule to correct against).
 */
public final class LatencyRecorder {
    private static final int SIGNIFICANT_DIGITS = 3;
    /** The longest latency told apart: a minute, beyond any operation timeout. */
    static final long HIGHEST_US = TimeUnit.MINUTES.toMicros(1);

    private final ConcurrentHistogram get = histogram();
    private final ConcurrentHistogram put = histogram();
    private final ConcurrentHistogram cas = histogram();

    private static ConcurrentHistogram histogram() {
        return new ConcurrentHistogram(1, HIGHEST_US, SIGNIFICANT_DIGITS);
    }

    public void record(OpType type, long latencyNs) {
        if (latencyNs < 0) {
            throw new IllegalArgumentException("latencyNs < 0: " + latencyNs);
        }
        long micros = Math.min(HIGHEST_US, TimeUnit.NANOSECONDS.toMicros(latencyNs));
        of(type).recordValue(micros);
    }

    public LatencySummary summary(OpType type) {
        return LatencySummary.of(of(type).copy());
    }

    private ConcurrentHistogram of(OpType type) {
        return switch (type) {
            case GET -> get;
            case PUT -> put;
            case CAS -> cas;
        };
    }
}
