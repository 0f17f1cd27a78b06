package org.gtstore.bench.driver;

import java.util.List;

/**
 * The outcome of one phase.
 *
 * @param total operations run, successful or not
 * @param errors operations that failed
 * @param wallTimeNs from the first issue to the last completion
 * @param errorSamples the first few distinct error messages, for the report
 */
public record PhaseResult(int total, long errors, long wallTimeNs, List<String> errorSamples) {
    public PhaseResult {
        errorSamples = List.copyOf(errorSamples);
    }

    /** Successful operations per second of wall time; zero for an empty phase. */
    public double successfulOpsPerSec() {
        return wallTimeNs <= 0 ? 0.0 : (total - errors) * 1e9 / wallTimeNs;
    }
}
