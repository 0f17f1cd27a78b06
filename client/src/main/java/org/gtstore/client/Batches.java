package org.gtstore.client;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/** The batch calls' shared steps: checking the keys, starting each key, collecting outcomes. */
final class Batches {
    private Batches() {
    }

    static List<String> keys(Collection<String> keys, int max) {
        Objects.requireNonNull(keys, "keys == null");
        List<String> distinct = new ArrayList<>(new LinkedHashSet<>(keys));
        if (distinct.contains(null)) {
            throw new NullPointerException("a key of the batch is null");
        }
        if (distinct.size() > max) {
            throw new InvalidRequestException("a batch takes at most " + max
                    + " keys, got " + distinct.size() + ": split it");
        }
        return distinct;
    }

    /** The operation's future; a key refused before sending (too long) fails only its own. */
    static <T> CompletableFuture<T> started(Supplier<CompletableFuture<T>> op) {
        try {
            return op.get();
        } catch (GtStoreException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    static <T> CompletableFuture<BatchResult<T>> collect(List<String> keys,
            Map<String, CompletableFuture<T>> ops) {
        return CompletableFuture.allOf(ops.values().toArray(CompletableFuture[]::new))
                .handle((ignored, err) -> {
                    Map<String, T> ok = new LinkedHashMap<>();
                    Map<String, GtStoreException> failed = new LinkedHashMap<>();
                    ops.forEach((key, f) -> {
                        try {
                            ok.put(key, f.join());
                        } catch (CompletionException e) {
                            failed.put(key, e.getCause() instanceof GtStoreException g ? g
                                    : new GtStoreException("unexpected failure: "
                                            + e.getCause(), null, e.getCause()));
                        }
                    });
                    return new BatchResult<>(keys, ok, failed);
                });
    }
}
