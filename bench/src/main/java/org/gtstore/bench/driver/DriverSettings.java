package org.gtstore.bench.driver;

/**
 * How {@link ClosedLoopDriver} runs a phase.
 *
 * @param inFlight operations outstanding at once (the window); redis-benchmark's {@code -c},
 *     memtier's clients x pipeline
 * @param progressIntervalMs how often the progress listener is called
 * @param stallTimeoutMs the phase fails if no operation completes for this long; it must exceed
 *     the client's own deadline, which bounds every operation including its retries
 */
public record DriverSettings(int inFlight, long progressIntervalMs, long stallTimeoutMs) {
    public static final int DEFAULT_IN_FLIGHT = 64;
    public static final long DEFAULT_PROGRESS_INTERVAL_MS = 200;
    public static final long DEFAULT_STALL_TIMEOUT_MS = 60_000;

    public static final DriverSettings DEFAULTS = new DriverSettings(
            DEFAULT_IN_FLIGHT, DEFAULT_PROGRESS_INTERVAL_MS, DEFAULT_STALL_TIMEOUT_MS);

    public DriverSettings {
        if (inFlight <= 0) {
            throw new IllegalArgumentException("inFlight <= 0: " + inFlight);
        }
        if (progressIntervalMs <= 0) {
            throw new IllegalArgumentException("progressIntervalMs <= 0: " + progressIntervalMs);
        }
        if (stallTimeoutMs <= 0) {
            throw new IllegalArgumentException("stallTimeoutMs <= 0: " + stallTimeoutMs);
        }
    }

    public DriverSettings withInFlight(int inFlight) {
        return new DriverSettings(inFlight, progressIntervalMs, stallTimeoutMs);
    }
}
