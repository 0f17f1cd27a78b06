package org.gtstore.gtctl;

import java.util.concurrent.CompletableFuture;

/**
 * The key-value operations gtctl needs, asynchronous so that {@code shell} can pipeline. The real
 * one wraps the client library ({@link ClientKeyValueStore}); tests use a fake. The futures fail
 * with the client's exceptions, whose messages are shown to the user.
 */
public interface KeyValueStore extends AutoCloseable {
    CompletableFuture<WriteOutcome> put(String key, String value);

    CompletableFuture<ReadOutcome> get(String key);

    CompletableFuture<WriteOutcome> delete(String key);

    @Override
    void close();
}
