package org.gtstore.bench.throughput;

import java.util.List;
import org.gtstore.bench.latency.LatencySummary;

/**
 * The measured phase of one throughput run (the preload is not in it).
 *
 * @param ops operations issued in the measured phase
 * @param errors operations that failed after the client's retries (must be 0)
 * @param getMisses GETs that found no value; not errors, but after a preload there should be none
 * @param wallTimeNs from the first issue to the last completion
 * @param opsPerSec successful operations divided by the wall time
 * @param get GET latencies in microseconds
 * @param put PUT latencies in microseconds
 * @param errorSamples the first few distinct error messages
 */
public record ThroughputResult(
        int ops,
        long errors,
        long getMisses,
        long wallTimeNs,
        double opsPerSec,
        LatencySummary get,
        LatencySummary put,
        List<String> errorSamples) {

    public ThroughputResult {
        errorSamples = List.copyOf(errorSamples);
    }
}
