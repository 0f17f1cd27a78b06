package org.gtstore.gtctl.kv;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.gtstore.client.Condition;
import org.gtstore.client.ConditionalResult;
import org.gtstore.client.GetResult;
import org.gtstore.client.GtStoreClient;
import org.gtstore.client.PutResult;

/** The {@link KeyValueStore} over one {@link GtStoreClient} (one cached map). */
public final class ClientKeyValueStore implements KeyValueStore {
    private final GtStoreClient client;

    public ClientKeyValueStore(GtStoreClient client) {
        this.client = client;
    }

    @Override
    public CompletableFuture<WriteOutcome> put(String key, String value, Duration ttl) {
        return (ttl == null ? client.putAsync(key, value) : client.putAsync(key, value, ttl))
                .thenApply(ClientKeyValueStore::write);
    }

    @Override
    public CompletableFuture<ReadOutcome> get(String key) {
        return client.getAsync(key).thenApply(ClientKeyValueStore::read);
    }

    @Override
    public CompletableFuture<WriteOutcome> delete(String key) {
        return client.deleteAsync(key).thenApply(ClientKeyValueStore::write);
    }

    @Override
    public CompletableFuture<WriteOutcome> putIf(String key, String value, long ifVersion,
            Duration ttl) {
        return (ttl == null ? client.putAsync(key, value, condition(ifVersion))
                : client.putAsync(key, value, condition(ifVersion), ttl))
                .thenApply(ClientKeyValueStore::write);
    }

    @Override
    public CompletableFuture<WriteOutcome> deleteIf(String key, long ifVersion) {
        return client.deleteAsync(key, condition(ifVersion))
                .thenApply(ClientKeyValueStore::write);
    }

    @Override
    public CompletableFuture<ScanOutcome> scan(String prefix, String cursor, int limit,
            boolean keysOnly) {
        return client.scanAsync(prefix, cursor, limit, keysOnly).thenApply(page ->
                new ScanOutcome(page.entries().stream().map(e -> new ScanOutcome.Entry(
                        e.keyUtf8(), e.valueUtf8(), e.version())).toList(),
                        page.nextCursor().orElse(null)));
    }

    private static Condition condition(long ifVersion) {
        return ifVersion == 0 ? Condition.ifAbsent() : Condition.ifVersion(ifVersion);
    }

    private static WriteOutcome write(ConditionalResult r) {
        return r.succeeded() ? write(r.write()) : WriteOutcome.conflict(r.currentVersion());
    }

    @Override
    public CompletableFuture<List<KeyOutcome<ReadOutcome>>> getAll(List<String> keys) {
        return client.getAllAsync(keys).thenApply(b -> keys.stream().map(k -> b.result(k)
                .map(r -> KeyOutcome.ok(k, read(r)))
                .orElseGet(() -> KeyOutcome.failed(k, b.failure(k).orElseThrow().getMessage())))
                .toList());
    }

    @Override
    public CompletableFuture<List<KeyOutcome<WriteOutcome>>> putAll(
            List<Map.Entry<String, String>> entries) {
        Map<String, String> map = new LinkedHashMap<>();
        entries.forEach(e -> map.put(e.getKey(), e.getValue()));
        return client.putAllAsync(map).thenApply(b -> entries.stream().map(Map.Entry::getKey)
                .map(k -> b.result(k).map(r -> KeyOutcome.ok(k, write(r)))
                        .orElseGet(() -> KeyOutcome.failed(k,
                                b.failure(k).orElseThrow().getMessage())))
                .toList());
    }

    @Override
    public void close() {
        client.close();
    }

    private static WriteOutcome write(PutResult r) {
        return new WriteOutcome(r.serverId(), r.version(), r.epoch(), r.chain());
    }

    private static ReadOutcome read(GetResult r) {
        return new ReadOutcome(r.found(), r.found() ? r.valueUtf8() : null, r.serverId(),
                r.version(), r.epoch(), r.chain());
    }
}
