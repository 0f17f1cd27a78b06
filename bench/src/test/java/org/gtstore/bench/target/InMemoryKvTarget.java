package org.gtstore.bench.target;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * A {@link KvTarget} over a map in this JVM, for tests. Operations complete on {@code executor}
 * (a pool, to exercise completion on other threads, or {@code Runnable::run} to complete before
 * returning). {@code headOf} names the server a put reply reports; {@code failPut} decides
 * which puts fail.
 */
public final class InMemoryKvTarget implements KvTarget {
    private final Map<ByteBuffer, byte[]> data = new ConcurrentHashMap<>();
    private final Map<ByteBuffer, Integer> casTurns = new ConcurrentHashMap<>();
    private final Executor executor;
    private final Function<byte[], String> headOf;
    private final Function<byte[], Boolean> failPut;

    public InMemoryKvTarget(Executor executor) {
        this(executor, key -> "server1", key -> false);
    }

    public InMemoryKvTarget(Executor executor, Function<byte[], String> headOf,
            Function<byte[], Boolean> failPut) {
        this.executor = executor;
        this.headOf = headOf;
        this.failPut = failPut;
    }

    @Override
    public CompletionStage<String> put(byte[] key, byte[] value) {
        return CompletableFuture.supplyAsync(() -> {
            if (failPut.apply(key)) {
                throw new IllegalStateException("injected put failure");
            }
            data.put(ByteBuffer.wrap(key.clone()), value.clone());
            return headOf.apply(key);
        }, executor);
    }

    @Override
    public CompletionStage<Boolean> get(byte[] key) {
        return CompletableFuture.supplyAsync(
                () -> data.containsKey(ByteBuffer.wrap(key)), executor);
    }

    /** A compare-and-set that every other one on the same key loses, to count conflicts. */
    @Override
    public CompletionStage<Boolean> cas(byte[] key, byte[] value) {
        return CompletableFuture.supplyAsync(() -> {
            ByteBuffer k = ByteBuffer.wrap(key.clone());
            boolean won = casTurns.merge(k, 1, Integer::sum) % 2 == 1;
            if (won) {
                data.put(k, value.clone());
            }
            return won;
        }, executor);
    }

    public int size() {
        return data.size();
    }

    public boolean contains(byte[] key) {
        return data.containsKey(ByteBuffer.wrap(key));
    }
}
