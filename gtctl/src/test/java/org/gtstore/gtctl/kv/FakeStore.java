package org.gtstore.gtctl.kv;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.gtstore.client.OperationFailedException;
import org.gtstore.proto.ErrorCode;

/**
 * An in-memory {@link KeyValueStore}. In immediate mode every operation completes at once; in
 * held mode operations wait until the test completes them with {@link #completeAll()} or in any
 * order it likes, so that ordering and windowing can be checked. Keys whose name starts with
 * "fail" fail like a client that gave up after its retries.
 */
public final class FakeStore implements KeyValueStore {
    private final Map<String, String> data = new ConcurrentHashMap<>();
    private final boolean held;
    private final List<Runnable> pending = new ArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    final Map<String, Integer> opsByKey = new HashMap<>();
    volatile boolean closed;

    public FakeStore(boolean held) {
        this.held = held;
    }

    static String headOf(String key) {
        return "server" + (Math.floorMod(key.hashCode(), 5) + 1);
    }

    /** The TTL of each key's last put that had one. */
    final Map<String, Duration> ttls = new ConcurrentHashMap<>();

    @Override
    public CompletableFuture<WriteOutcome> put(String key, String value, Duration ttl) {
        return run(key, () -> {
            if (ttl != null) {
                ttls.put(key, ttl);
            }
            data.put(key, value);
            return new WriteOutcome(headOf(key), 7, 12, List.of(headOf(key), "server9"));
        });
    }

    /** Versions: 7 for a present key; a condition naming another fails with 7 (or 0 if absent). */
    @Override
    public CompletableFuture<WriteOutcome> putIf(String key, String value, long ifVersion,
            Duration ttl) {
        return run(key, () -> {
            if (ttl != null) {
                ttls.put(key, ttl);
            }
            long current = data.containsKey(key) ? 7 : 0;
            if (current != ifVersion) {
                return WriteOutcome.conflict(current);
            }
            data.put(key, value);
            return new WriteOutcome(headOf(key), 7, 12, List.of(headOf(key), "server9"));
        });
    }

    @Override
    public CompletableFuture<WriteOutcome> deleteIf(String key, long ifVersion) {
        return run(key, () -> {
            long current = data.containsKey(key) ? 7 : 0;
            if (current != ifVersion) {
                return WriteOutcome.conflict(current);
            }
            data.remove(key);
            return new WriteOutcome(headOf(key), 8, 12, List.of(headOf(key), "server9"));
        });
    }

    /** Pages over the keys in sorted order; the cursor is the last key of the page. */
    @Override
    public CompletableFuture<ScanOutcome> scan(String prefix, String cursor, int limit,
            boolean keysOnly) {
        return run("scan", () -> {
            List<ScanOutcome.Entry> page = new ArrayList<>();
            java.util.TreeMap<String, String> sorted = new java.util.TreeMap<>(data);
            for (Map.Entry<String, String> e : (cursor == null ? sorted
                    : sorted.tailMap(cursor, false)).entrySet()) {
                if (!e.getKey().startsWith(prefix)) {
                    continue;
                }
                if (page.size() == limit) {
                    return new ScanOutcome(page, page.get(page.size() - 1).key());
                }
                page.add(new ScanOutcome.Entry(e.getKey(), keysOnly ? "" : e.getValue(), 7));
            }
            return new ScanOutcome(page, null);
        });
    }

    @Override
    public CompletableFuture<ReadOutcome> get(String key) {
        return run(key, () -> {
            String v = data.get(key);
            return new ReadOutcome(v != null, v, "server9", 7, 12, List.of(headOf(key), "server9"));
        });
    }

    @Override
    public CompletableFuture<WriteOutcome> delete(String key) {
        return run(key, () -> {
            data.remove(key);
            return new WriteOutcome(headOf(key), 8, 12, List.of(headOf(key), "server9"));
        });
    }

    private <T> CompletableFuture<T> run(String key, java.util.function.Supplier<T> op) {
        CompletableFuture<T> f = new CompletableFuture<>();
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        synchronized (this) {
            opsByKey.merge(key, 1, Integer::sum);
        }
        Runnable complete = () -> {
            inFlight.decrementAndGet();
            if (key.startsWith("fail")) {
                f.completeExceptionally(new OperationFailedException("put " + key
                        + " failed after 5 attempts over 10000 ms: server2 UNAVAILABLE",
                        ErrorCode.UNAVAILABLE, null));
            } else {
                f.complete(op.get());
            }
        };
        if (held) {
            synchronized (this) {
                pending.add(complete);
                notifyAll();
            }
        } else {
            complete.run();
        }
        return f;
    }

    /** Waits until {@code n} operations are pending. */
    synchronized void awaitPending(int n) throws InterruptedException {
        while (pending.size() < n) {
            wait();
        }
    }

    synchronized int pendingCount() {
        return pending.size();
    }

    /** Completes the pending operations, newest first, to scramble completion order. */
    void completeNewestFirst() {
        List<Runnable> batch;
        synchronized (this) {
            batch = new ArrayList<>(pending);
            pending.clear();
        }
        for (int i = batch.size() - 1; i >= 0; i--) {
            batch.get(i).run();
        }
    }

    int maxInFlight() {
        return maxInFlight.get();
    }

    void preload(String key, String value) {
        data.put(key, value);
    }

    @Override
    public void close() {
        closed = true;
    }
}
