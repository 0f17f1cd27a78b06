package org.gtstore.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a batch ({@link GtStoreClient#getAll}, {@link GtStoreClient#putAll}) did to each of its
 * keys, in the order the keys were given. Every key is an operation of its own, atomic on its
 * own: one key's failure says nothing about another's, and a key that failed was either
 * applied whole or not at all (its outcome is unknown, as after any failed put).
 *
 * @param <T> the result of one key's operation ({@link GetResult} or {@link PutResult})
 */
public final class BatchResult<T> {
    private final List<String> keys;
    private final Map<String, T> succeeded;
    private final Map<String, GtStoreException> failed;

    BatchResult(List<String> keys, Map<String, T> succeeded,
            Map<String, GtStoreException> failed) {
        this.keys = List.copyOf(keys);
        this.succeeded = Collections.unmodifiableMap(new LinkedHashMap<>(succeeded));
        this.failed = Collections.unmodifiableMap(new LinkedHashMap<>(failed));
    }

    /** The batch's keys, in the order given (each once). */
    public List<String> keys() {
        return keys;
    }

    /** The keys whose operation succeeded, with its result, in the order given. */
    public Map<String, T> succeeded() {
        return succeeded;
    }

    /** The keys whose operation failed, with why, in the order given. */
    public Map<String, GtStoreException> failed() {
        return failed;
    }

    public boolean allSucceeded() {
        return failed.isEmpty();
    }

    /** The result of {@code key}'s operation, if it succeeded. */
    public Optional<T> result(String key) {
        return Optional.ofNullable(succeeded.get(key));
    }

    /** Why {@code key}'s operation failed, if it did. */
    public Optional<GtStoreException> failure(String key) {
        return Optional.ofNullable(failed.get(key));
    }

    @Override
    public String toString() {
        return "BatchResult{" + succeeded.size() + " succeeded, " + failed.size() + " failed"
                + (failed.isEmpty() ? "" : " (first: " + failed.entrySet().iterator().next()
                        + ")") + "}";
    }
}
