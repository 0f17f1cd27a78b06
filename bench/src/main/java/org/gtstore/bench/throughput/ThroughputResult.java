package org.gtstore.bench.throughput;

import java.util.List;
import org.gtstore.bench.cost.RunCost;
import org.gtstore.bench.latency.LatencySummary;

/**
 * The measured phase of one throughput run (the preload and the warm-up are not in it).
 *
 * @param ops operations issued in the measured phase
 * @param errors operations that failed after the client's retries (must be 0)
 * @param getMisses GETs that found no value; not errors, but after a preload there should be none
 * @param wallTimeNs from the first issue to the last completion
 * @param opsPerSec successful operations divided by the wall time
 * @param get GET latencies in microseconds
 * @param put PUT latencies in microseconds
 * @param errorSamples the first few distinct error messages
 * @param warmup how the warm-up before the measured phase ended
 * @param cost the machine's CPU and memory over the measured phase
 * @param cas compare-and-set latencies in microseconds (read and conditional put together)
 * @param casConflicts compare-and-set updates whose key another write changed between the two
 */
public record ThroughputResult(
        int ops,
        long errors,
        long getMisses,
        long wallTimeNs,
        double opsPerSec,
        LatencySummary get,
        LatencySummary put,
        List<String> errorSamples,
        WarmupResult warmup,
        RunCost cost,
        LatencySummary cas,
        long casConflicts) {

    public ThroughputResult {
        errorSamples = List.copyOf(errorSamples);
        if (warmup == null) {
            throw new NullPointerException("warmup == null");
        }
        if (cost == null) {
            throw new NullPointerException("cost == null");
        }
        if (cas == null) {
            throw new NullPointerException("cas == null");
        }
    }

    /** A run without compare-and-set updates. */
    public ThroughputResult(int ops, long errors, long getMisses, long wallTimeNs,
            double opsPerSec, LatencySummary get, LatencySummary put, List<String> errorSamples,
            WarmupResult warmup, RunCost cost) {
        this(ops, errors, getMisses, wallTimeNs, opsPerSec, get, put, errorSamples, warmup, cost,
                LatencySummary.EMPTY, 0);
    }
}
