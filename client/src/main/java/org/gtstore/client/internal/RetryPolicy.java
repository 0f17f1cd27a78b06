package org.gtstore.client.internal;

import java.time.Duration;
import org.gtstore.proto.ErrorCode;

/**
 * What the client does after a failed attempt, and how long it backs off. Pure: no clock and no
 * randomness of its own, so it is tested directly.
 *
 * <p>Every action that retries first makes sure the operation's deadline allows it; past the
 * deadline the operation fails with the last failure (see {@code Dispatcher}).
 */
public final class RetryPolicy {
    private final long backoffInitialNanos;
    private final long backoffMaxNanos;

    /** What to do next. */
    public enum Action {
        /**
         * Fetch a map at least as new as the server's epoch (single-flight), fetching again
         * after a back-off while the metadata member asked is behind, then retry.
         */
        REFRESH_THEN_RETRY,
        /** Back off briefly and send again with the cached map; fetch nothing. */
        RESEND_AFTER_PAUSE,
        /**
         * Report the server unreachable to the metadata leader; if that moves the map (the
         * server is marked dead), fetch that epoch and retry, else back off, ask whether the
         * map moved, retry.
         */
        REPORT_THEN_RETRY,
        /** Back off, ask whether the map moved (one call), retry. */
        BACK_OFF_THEN_RETRY,
        /** Fail now: retrying cannot help. */
        FAIL
    }

    public RetryPolicy(Duration backoffInitial, Duration backoffMax) {
        this.backoffInitialNanos = backoffInitial.toNanos();
        this.backoffMaxNanos = backoffMax.toNanos();
    }

    /**
     * The retry checklist, one reason per line. A put or delete is retried in every case that
     * retries, because it carries (client id, request id) and the head drops a duplicate of a
     * write it already committed; a get is always safe to retry.
     */
    public Action decide(Failure f) {
        return switch (f.kind()) {
            // Connection refused or reset, or no answer in time: the server may be dead.
            // Tell the leader (which probes it), fetch the map it makes, retry.
            case UNREACHABLE -> Action.REPORT_THEN_RETRY;
            // The call was cancelled or throttled on the way: back off, retry.
            case TRANSIENT -> Action.BACK_OFF_THEN_RETRY;
            // The address does not serve the data protocol: retrying cannot help.
            case BROKEN -> Action.FAIL;
            // The partition has no live replica or no chain yet: wait for the metadata.
            case NO_ROUTE -> Action.BACK_OFF_THEN_RETRY;
            // No metadata member answered: keep the cached map, back off, retry.
            case METADATA -> Action.BACK_OFF_THEN_RETRY;
            case ANSWER -> decideAnswer(f.code());
        };
    }

    private static Action decideAnswer(ErrorCode code) {
        return switch (code) {
            // The key's chain changed after our map's epoch (the server checks per chain): fetch
            // a map at least as new as the server's epoch, which its answer carries, retry.
            case STALE_EPOCH -> Action.REFRESH_THEN_RETRY;
            // The server's map has someone else as head/tail: fetch its epoch, retry.
            case NOT_RESPONSIBLE -> Action.REFRESH_THEN_RETRY;
            // The server is behind our map and is fetching it: our map is the newer one, so
            // fetching cannot help. Pause briefly and send the same request again.
            case FUTURE_EPOCH -> Action.RESEND_AFTER_PAUSE;
            // The server is fenced, catching up, or the partition lost its replicas.
            case UNAVAILABLE -> Action.BACK_OFF_THEN_RETRY;
            // The chain did not acknowledge in time; the request id makes a retry safe.
            case TIMEOUT -> Action.BACK_OFF_THEN_RETRY;
            // Metadata-side answers that pass once a leader or enough servers exist.
            case NOT_LEADER, NOT_ENOUGH_SERVERS -> Action.BACK_OFF_THEN_RETRY;
            // The head cannot tell whether a retry this old was applied, and applied nothing;
            // another retry could not tell either. The write's outcome is unknown.
            case RETRY_TOO_OLD -> Action.FAIL;
            // INVALID_ARGUMENT, INTERNAL, UNKNOWN_SERVER, ...: retrying cannot help.
            default -> Action.FAIL;
        };
    }

    /**
     * The delay before the next retry: the base doubles with each back-off from the initial
     * delay up to the cap, and the delay is uniform in [base/2, base] ("equal jitter").
     *
     * @param backoffs back-offs already waited
     * @param random01 a uniform random number in [0, 1)
     */
    public long backoffNanos(int backoffs, double random01) {
        long base = backoffInitialNanos;
        for (int i = 0; i < backoffs && base < backoffMaxNanos; i++) {
            base *= 2;
        }
        base = Math.min(base, backoffMaxNanos);
        return base / 2 + (long) (random01 * (base / 2));
    }
}
