package org.gtstore.bench.throughput;

import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.gtstore.bench.cost.CostMeter;
import org.gtstore.bench.cost.CpuSample;
import org.gtstore.bench.cost.RunCost;
import org.gtstore.bench.cost.ServerCounts;
import org.gtstore.bench.driver.BenchmarkException;
import org.gtstore.bench.driver.ClosedLoopDriver;
import org.gtstore.bench.driver.Operations;
import org.gtstore.bench.driver.PhaseResult;
import org.gtstore.bench.latency.LatencyRecorder;
import org.gtstore.bench.progress.ProgressListener;
import org.gtstore.bench.target.KvTarget;
import org.gtstore.bench.workload.OpType;
import org.gtstore.bench.workload.Workload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The throughput benchmark against one store: an optional preload of every key, a warm-up
 * until the rate is stable ({@link Warmup}), then the measured phase of the workload's
 * operations with a fixed number in flight.
 *
 * <p>Throughput is successful operations over the wall time of the measured phase, from the first
 * issue to the last completion. GET and PUT latencies go to separate HdrHistograms, in
 * microseconds; failed operations are counted, sampled for the report, and left out of the
 * histograms. The {@link CostMeter} reads the CPU time of the client and of every cluster
 * process, and the data servers' send counts, just before and just after the measured phase,
 * so the cost per operation covers the measured operations only. The preload's progress is
 * reported under the phase {@code "preload"}, the warm-up's (mixed operations after the preload,
 * so every process's JIT has compiled the GET and PUT paths) under {@code "warmup"}; neither is
 * part of the result.
 */
public final class ThroughputBenchmark {
    private static final Logger LOG = LoggerFactory.getLogger(ThroughputBenchmark.class);

    public static final String PRELOAD_PHASE = "preload";
    public static final String WARMUP_PHASE = "warmup";

    private ThroughputBenchmark() {
    }

    /**
     * Runs the benchmark against {@code target}; {@code phase} names the measured phase in
     * progress reports (for example {@code "K=3"}); {@code meter} measures the cost.
     *
     * @throws org.gtstore.bench.driver.BenchmarkStalledException if the store stops answering
     * @throws BenchmarkException if the preload had errors: GETs would then measure misses
     */
    public static ThroughputResult run(ThroughputConfig config, KvTarget target, String phase,
            ProgressListener listener, CostMeter meter) throws InterruptedException {
        Workload workload = new Workload(config.workload());
        if (config.preload()) {
            preload(workload, config, target, listener);
        }
        // The warm-up runs the measured phase's own code (recording into a scratch recorder),
        // so the client's JIT has compiled that too.
        LatencyRecorder scratch = new LatencyRecorder();
        AtomicLong scratchMisses = new AtomicLong();
        AtomicLong scratchConflicts = new AtomicLong();
        WarmupResult warmup = Warmup.run(config.warmup(), config.driver(), meter,
                offset -> recorded(workload, target, offset, scratch, scratchMisses,
                        scratchConflicts), listener);
        if (warmup.ending() != StabilityRule.Ending.NONE) {
            LOG.info("{}: warm-up {}", phase, warmup.describe());
        }
        LatencyRecorder latencies = new LatencyRecorder();
        AtomicLong misses = new AtomicLong();
        AtomicLong conflicts = new AtomicLong();
        Operations measured = recorded(workload, target, 0, latencies, misses, conflicts);
        LOG.info("{}: {} operations, {} in flight, {}", phase, workload.opCount(),
                config.driver().inFlight(), config.workload());
        Map<String, ServerCounts> countsBefore = meter.serverCounts();
        CpuSample before = meter.cpu(true);
        PhaseResult r = ClosedLoopDriver.run(
                phase, workload.opCount(), config.driver(), measured, listener);
        CpuSample after = meter.cpu(true);
        RunCost cost = meter.cost(r.total(), before, after, countsBefore, meter.serverCounts());
        ThroughputResult result = new ThroughputResult(r.total(), r.errors(), misses.get(),
                r.wallTimeNs(), r.successfulOpsPerSec(), latencies.summary(OpType.GET),
                latencies.summary(OpType.PUT), r.errorSamples(), warmup, cost,
                latencies.summary(OpType.CAS), conflicts.get());
        LOG.info("{}: {} ops/s, {} errors, {} GET misses, {} us CPU/op", phase,
                Math.round(result.opsPerSec()), result.errors(), result.getMisses(),
                Math.round(cost.cpuUsPerOp()));
        return result;
    }

    /**
     * The workload's operations from {@code offset} on (wrapping round), each latency recorded
     * by type and each GET that found nothing and each conflicting CAS counted; failed
     * operations are not recorded.
     */
    private static Operations recorded(Workload workload, KvTarget target, long offset,
            LatencyRecorder latencies, AtomicLong misses, AtomicLong conflicts) {
        return new Operations() {
            @Override
            public CompletionStage<?> start(int index) {
                return issue(workload, target, op(index));
            }

            @Override
            public void completed(int index, long latencyNs, Object result, Throwable error) {
                if (error != null) {
                    return;
                }
                OpType type = workload.type(op(index));
                latencies.record(type, latencyNs);
                if (type == OpType.GET && Boolean.FALSE.equals(result)) {
                    misses.incrementAndGet();
                } else if (type == OpType.CAS && Boolean.FALSE.equals(result)) {
                    conflicts.incrementAndGet();
                }
            }

            private int op(int index) {
                return (int) ((offset + index) % workload.opCount());
            }
        };
    }

    /** Sends operation {@code index} of the workload: a GET, PUT or CAS of its key. */
    private static CompletionStage<?> issue(Workload workload, KvTarget target, int index) {
        byte[] key = workload.key(index);
        return switch (workload.type(index)) {
            case GET -> target.get(key);
            case PUT -> target.put(key, workload.putValue(index));
            case CAS -> target.cas(key, workload.putValue(index));
        };
    }

    private static void preload(Workload workload, ThroughputConfig config, KvTarget target,
            ProgressListener listener) throws InterruptedException {
        Operations writes = new Operations() {
            @Override
            public CompletionStage<?> start(int index) {
                return target.put(workload.keys().key(index), workload.preloadValue(index));
            }

            @Override
            public void completed(int index, long latencyNs, Object result, Throwable error) {
                // Only errors matter here, and the driver counts them.
            }
        };
        PhaseResult r = ClosedLoopDriver.run(
                PRELOAD_PHASE, workload.preloadCount(), config.driver(), writes, listener);
        if (r.errors() > 0) {
            throw new BenchmarkException(String.format(
                    "preload: %d of %d writes failed, e.g. %s",
                    r.errors(), r.total(), r.errorSamples()));
        }
    }
}
