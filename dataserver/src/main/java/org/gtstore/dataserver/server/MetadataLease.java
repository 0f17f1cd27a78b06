package org.gtstore.dataserver.server;

import java.util.concurrent.TimeUnit;

/**
 * The metadata lease (fencing, DESIGN.md): an answered heartbeat or registration extends it to
 * <em>its send time</em> plus the lease, never its receive time, so this server stops serving
 * no later than the leader may declare it dead. Ended at once when the metadata no longer knows
 * this incarnation. Extended and ended on the session thread; read from any thread.
 */
final class MetadataLease implements LeaseSource {
    static final long DEFAULT_LEASE_MS = 1500;

    private long leaseMs = DEFAULT_LEASE_MS;
    private long lastAnsweredSentNanos;
    private volatile boolean held;
    private volatile long expiryNanos;
    private volatile boolean stopping;

    /** The lease the cluster grants (from the registration's answer); 0 keeps the default. */
    void setDuration(long ms) {
        leaseMs = ms > 0 ? ms : DEFAULT_LEASE_MS;
    }

    long durationMs() {
        return leaseMs;
    }

    /**
     * A call sent at {@code sentAtNanos} was answered: the lease runs to then plus its length,
     * unless a call sent later was answered already.
     */
    void extend(long sentAtNanos) {
        if (!held || sentAtNanos - lastAnsweredSentNanos > 0) {
            lastAnsweredSentNanos = sentAtNanos;
            expiryNanos = sentAtNanos + TimeUnit.MILLISECONDS.toNanos(leaseMs);
            held = true;
        }
    }

    /** No lease from now on, until a call is answered again. */
    void end() {
        held = false;
    }

    /** No lease ever again: this server stops gracefully (see {@link #stopping}). */
    void endForStop() {
        stopping = true;
        held = false;
    }

    @Override
    public boolean stopping() {
        return stopping;
    }

    @Override
    public boolean leaseValidAt(long nanoTime) {
        return held && !stopping && nanoTime - expiryNanos < 0;
    }
}
