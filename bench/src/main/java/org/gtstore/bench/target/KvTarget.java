package org.gtstore.bench.target;

import java.util.concurrent.CompletionStage;

/**
 * What a benchmark drives: an asynchronous key-value store. The benchmarks see only this, so they
 * run against a fake in a unit test exactly as against {@code GtStoreClient} in a real cluster.
 *
 * <p>Contract: both methods return at once (they must not block the calling thread, which may be
 * the thread that completed the previous operation) and the returned stage completes exactly
 * once, normally on success or exceptionally on an error after the store's own retries. A stage
 * may already be complete when returned. The arrays are not modified and may be kept until the
 * stage completes. The caller owns the underlying client and closes it.
 */
public interface KvTarget {
    /**
     * Writes {@code value} under {@code key}. Completes with the id of the server that accepted
     * the write (the chain's head), or {@code null} if this target cannot tell.
     */
    CompletionStage<String> put(byte[] key, byte[] value);

    /** Reads {@code key}. Completes with {@code true} if it had a value, {@code false} if not. */
    CompletionStage<Boolean> get(byte[] key);

    /**
     * A compare-and-set update: reads {@code key}, then writes {@code value} only if the key's
     * version is still the one read. Completes with {@code true} if written, {@code false} if
     * another write came between (a conflict, not an error).
     */
    CompletionStage<Boolean> cas(byte[] key, byte[] value);
}
