package org.gtstore.dataserver.chain;

/**
 * The knobs of the pure protocol, all in logical units (ticks, entries, bytes), so tests can
 * state them explicitly.
 *
 * @param dedupEntriesMax how many (client id, request id) pairs the replica remembers to answer
 *     a retried put with its original version instead of applying it twice
 * @param helloRetryTicks ticks without a hello reply after which the hello is sent again
 * @param clientWaitTicksMax ticks a put may wait for the tail's ack before it is answered
 *     {@code TIMEOUT} (the client then retries, and dedup makes the retry safe)
 * @param batchBytesMax the size at which an update batch to one peer is split
 * @param heldUpdatesMax updates beyond a sequence gap kept per partition while waiting for the
 *     gap to be filled
 * @param deferredMessagesMax messages from a newer epoch kept per stream while the map is fetched
 * @param copyWindowChunks state-transfer chunks of one copy read ahead of the receiver's
 *     acknowledgements (flow control: at most this many chunks per copy in memory or in flight)
 * @param copyStallTicks ticks without an acknowledged chunk after which a copy is abandoned and
 *     the successor is asked again (hello)
 * @param caughtUpRetryTicks ticks between repeated ReportCaughtUp of one joining replica
 * @param joiningRetainMax updates a tail keeps for its joining replica until acknowledged;
 *     beyond that the oldest are dropped and the replica is caught up by another copy
 * @param ackIntervalTicks how a tail coalesces its acknowledgements upstream: 0 sends them with
 *     every pass that committed something, 1 or more with the tick (they only free retention
 *     and settle retries at the head; clients hear from the tail directly)
 * @param tickMs how long a tick is at least, in milliseconds (the driver's tick interval): the
 *     dedup table converts a retry's age, which clients state in milliseconds, to ticks
 * @param retainedBytesMax the bytes of updates this server may keep for its successors (not yet
 *     acknowledged) before, as a head, it refuses new writes with UNAVAILABLE until its chains
 *     catch up; an eighth of it is, per partition, the most a tail keeps for a joining replica
 *     (beyond that, like beyond {@code joiningRetainMax}, the oldest go)
 */
public record ChainReplicaConfig(
        int dedupEntriesMax,
        int helloRetryTicks,
        int clientWaitTicksMax,
        int batchBytesMax,
        int heldUpdatesMax,
        int deferredMessagesMax,
        int copyWindowChunks,
        int copyStallTicks,
        int caughtUpRetryTicks,
        int joiningRetainMax,
        int ackIntervalTicks,
        long tickMs,
        long retainedBytesMax) {

    /** The tick of {@link #defaults()} and of the constructors that do not name one. */
    public static final long DEFAULT_TICK_MS = 100;
    /** The retention bound of {@link #defaults()} and of the constructors without one. */
    public static final long DEFAULT_RETAINED_BYTES_MAX = 64L << 20;

    /** Defaults for a driver ticking every 100 ms. */
    public static ChainReplicaConfig defaults() {
        return new ChainReplicaConfig(131_072, 10, 50, 1 << 20, 100_000, 100_000, 4, 100, 5,
                500_000, 1, DEFAULT_TICK_MS, DEFAULT_RETAINED_BYTES_MAX);
    }

    /** Every knob but the tick length, which is {@link #DEFAULT_TICK_MS}. */
    public ChainReplicaConfig(int dedupEntriesMax, int helloRetryTicks, int clientWaitTicksMax,
            int batchBytesMax, int heldUpdatesMax, int deferredMessagesMax, int copyWindowChunks,
            int copyStallTicks, int caughtUpRetryTicks, int joiningRetainMax,
            int ackIntervalTicks) {
        this(dedupEntriesMax, helloRetryTicks, clientWaitTicksMax, batchBytesMax, heldUpdatesMax,
                deferredMessagesMax, copyWindowChunks, copyStallTicks, caughtUpRetryTicks,
                joiningRetainMax, ackIntervalTicks, DEFAULT_TICK_MS, DEFAULT_RETAINED_BYTES_MAX);
    }

    /** A copy for a driver whose ticks are {@code ms} long. */
    public ChainReplicaConfig withTickMs(long ms) {
        return new ChainReplicaConfig(dedupEntriesMax, helloRetryTicks, clientWaitTicksMax,
                batchBytesMax, heldUpdatesMax, deferredMessagesMax, copyWindowChunks,
                copyStallTicks, caughtUpRetryTicks, joiningRetainMax, ackIntervalTicks, ms,
                retainedBytesMax);
    }

    /** A copy with another retention bound. */
    public ChainReplicaConfig withRetainedBytesMax(long max) {
        return new ChainReplicaConfig(dedupEntriesMax, helloRetryTicks, clientWaitTicksMax,
                batchBytesMax, heldUpdatesMax, deferredMessagesMax, copyWindowChunks,
                copyStallTicks, caughtUpRetryTicks, joiningRetainMax, ackIntervalTicks, tickMs,
                max);
    }

    /** The first six knobs, with the copy knobs at their defaults and acks sent per pass. */
    public ChainReplicaConfig(int dedupEntriesMax, int helloRetryTicks, int clientWaitTicksMax,
            int batchBytesMax, int heldUpdatesMax, int deferredMessagesMax) {
        this(dedupEntriesMax, helloRetryTicks, clientWaitTicksMax, batchBytesMax, heldUpdatesMax,
                deferredMessagesMax, 4, 100, 5, 500_000, 0, DEFAULT_TICK_MS,
                DEFAULT_RETAINED_BYTES_MAX);
    }

    /** Every knob but the acknowledgement interval: acks are sent per pass. */
    public ChainReplicaConfig(int dedupEntriesMax, int helloRetryTicks, int clientWaitTicksMax,
            int batchBytesMax, int heldUpdatesMax, int deferredMessagesMax, int copyWindowChunks,
            int copyStallTicks, int caughtUpRetryTicks, int joiningRetainMax) {
        this(dedupEntriesMax, helloRetryTicks, clientWaitTicksMax, batchBytesMax, heldUpdatesMax,
                deferredMessagesMax, copyWindowChunks, copyStallTicks, caughtUpRetryTicks,
                joiningRetainMax, 0, DEFAULT_TICK_MS, DEFAULT_RETAINED_BYTES_MAX);
    }

    public ChainReplicaConfig {
        if (dedupEntriesMax < 0) {
            throw new IllegalArgumentException("dedupEntriesMax < 0: " + dedupEntriesMax);
        }
        if (helloRetryTicks <= 0) {
            throw new IllegalArgumentException("helloRetryTicks <= 0: " + helloRetryTicks);
        }
        if (clientWaitTicksMax <= 0) {
            throw new IllegalArgumentException("clientWaitTicksMax <= 0: " + clientWaitTicksMax);
        }
        if (batchBytesMax <= 0) {
            throw new IllegalArgumentException("batchBytesMax <= 0: " + batchBytesMax);
        }
        if (heldUpdatesMax < 0 || deferredMessagesMax < 0) {
            throw new IllegalArgumentException("negative buffer limit: held=" + heldUpdatesMax
                    + " deferred=" + deferredMessagesMax);
        }
        if (retainedBytesMax <= 0) {
            throw new IllegalArgumentException("retainedBytesMax <= 0: " + retainedBytesMax);
        }
        if (tickMs <= 0) {
            throw new IllegalArgumentException("tickMs <= 0: " + tickMs);
        }
        if (ackIntervalTicks < 0) {
            throw new IllegalArgumentException("ackIntervalTicks < 0: " + ackIntervalTicks);
        }
        if (copyWindowChunks <= 0 || copyStallTicks <= 0 || caughtUpRetryTicks <= 0
                || joiningRetainMax <= 0) {
            throw new IllegalArgumentException("copy knobs must be positive: window="
                    + copyWindowChunks + " stall=" + copyStallTicks + " caughtUpRetry="
                    + caughtUpRetryTicks + " retain=" + joiningRetainMax);
        }
    }
}
