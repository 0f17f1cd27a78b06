package org.gtstore.bench.target;

import java.util.concurrent.CompletionStage;
import org.gtstore.client.Condition;
import org.gtstore.client.ConditionalResult;
import org.gtstore.client.GetResult;
import org.gtstore.client.GtStoreClient;
import org.gtstore.client.PutResult;

/**
 * A {@link KvTarget} over {@link GtStoreClient}'s async API. The client's futures complete on
 * its network threads and its async methods never block, which is what the benchmark driver
 * needs to issue the next operation from the completing thread. Errors are the client's, after
 * its retries, and reach the benchmark unchanged. The caller owns and closes the client.
 */
public final class GtStoreClientTarget implements KvTarget {
    private final GtStoreClient client;

    public GtStoreClientTarget(GtStoreClient client) {
        if (client == null) {
            throw new NullPointerException("client == null");
        }
        this.client = client;
    }

    @Override
    public CompletionStage<String> put(byte[] key, byte[] value) {
        return client.putAsync(key, value).thenApply(PutResult::serverId);
    }

    @Override
    public CompletionStage<Boolean> get(byte[] key) {
        return client.getAsync(key).thenApply(GetResult::found);
    }

    @Override
    public CompletionStage<Boolean> cas(byte[] key, byte[] value) {
        return client.getAsync(key).thenCompose(r -> client.putAsync(key, value,
                r.found() ? Condition.ifVersion(r.version()) : Condition.ifAbsent()))
                .thenApply(ConditionalResult::succeeded);
    }
}
