package org.gtstore.gtctl.kv;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.gtstore.gtctl.Connector;

/**
 * What put, get and delete share, whether picocli parsed them or {@link OneShotCommand} did:
 * open a store on the given metadata members, run one operation within the timeout, and print
 * its one result line.
 */
final class SingleOperation {
    private SingleOperation() {}

    static <R> R run(Connector connector, List<String> metadataAddresses, Duration timeout,
            ResultFormatter format, PrintWriter out,
            Function<KeyValueStore, CompletableFuture<R>> operation,
            BiFunction<ResultFormatter, R, String> line) {
        try (KeyValueStore store = connector.openStore(metadataAddresses, timeout)) {
            R result = Futures.await(operation.apply(store), timeout);
            out.println(line.apply(format, result));
            out.flush();
            return result;
        }
    }
}
