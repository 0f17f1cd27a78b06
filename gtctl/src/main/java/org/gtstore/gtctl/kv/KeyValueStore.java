package org.gtstore.gtctl.kv;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.gtstore.gtctl.Errors;

/**
 * The key-value operations gtctl needs, asynchronous so that {@code shell} can pipeline. The real
 * one wraps the client library ({@link ClientKeyValueStore}); tests use a fake. The futures fail
 * with the client's exceptions, whose messages are shown to the user.
 */
public interface KeyValueStore extends AutoCloseable {
    default CompletableFuture<WriteOutcome> put(String key, String value) {
        return put(key, value, null);
    }

    /** A put whose value expires {@code ttl} after it is written (null: never). */
    CompletableFuture<WriteOutcome> put(String key, String value, Duration ttl);

    CompletableFuture<ReadOutcome> get(String key);

    CompletableFuture<WriteOutcome> delete(String key);

    /**
     * A compare-and-set put: writes only if the key's version is {@code ifVersion} (0: it has
     * no value); otherwise the outcome is a {@link WriteOutcome#conflict}.
     */
    default CompletableFuture<WriteOutcome> putIf(String key, String value, long ifVersion) {
        return putIf(key, value, ifVersion, null);
    }

    /** A compare-and-set put whose value expires {@code ttl} after it is written (null: never). */
    CompletableFuture<WriteOutcome> putIf(String key, String value, long ifVersion,
            Duration ttl);

    /** A compare-and-set delete, as {@link #putIf}. */
    CompletableFuture<WriteOutcome> deleteIf(String key, long ifVersion);

    /**
     * One page of at most {@code limit} keys starting with {@code prefix}, after
     * {@code cursor} (null: the first page).
     */
    CompletableFuture<ScanOutcome> scan(String prefix, String cursor, int limit,
            boolean keysOnly);

    /**
     * Reads every key; the outcomes in the order of {@code keys}, each its own. This default
     * sends one get per key; the client's batch does the same in one call.
     */
    default CompletableFuture<List<KeyOutcome<ReadOutcome>>> getAll(List<String> keys) {
        return each(keys, this::get);
    }

    /** Writes every entry; the outcomes in the order of {@code entries}, each its own. */
    default CompletableFuture<List<KeyOutcome<WriteOutcome>>> putAll(
            List<Map.Entry<String, String>> entries) {
        Map<String, String> values = new HashMap<>();
        entries.forEach(e -> values.put(e.getKey(), e.getValue()));
        return each(entries.stream().map(Map.Entry::getKey).toList(),
                key -> put(key, values.get(key)));
    }

    private static <T> CompletableFuture<List<KeyOutcome<T>>> each(List<String> keys,
            Function<String, CompletableFuture<T>> op) {
        List<CompletableFuture<KeyOutcome<T>>> all = new ArrayList<>();
        for (String key : keys) {
            CompletableFuture<T> f;
            try {
                f = op.apply(key);
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            all.add(f.handle((r, err) -> err == null ? KeyOutcome.ok(key, r)
                    : KeyOutcome.failed(key, Errors.describe(Errors.unwrap(err)))));
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                .thenApply(v -> all.stream().map(CompletableFuture::join).toList());
    }

    @Override
    void close();
}
