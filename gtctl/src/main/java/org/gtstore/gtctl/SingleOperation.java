package org.gtstore.gtctl;

import java.io.PrintWriter;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What put, get and delete share: open a store on the cluster the options address, run one
 * operation within the timeout, and print its one result line.
 */
final class SingleOperation {
    private SingleOperation() {}

    static <R> R run(CommonOptions common, Connector connector, CommandSpec spec,
            Function<KeyValueStore, CompletableFuture<R>> operation,
            BiFunction<ResultFormatter, R, String> line) {
        try (KeyValueStore store = connector.openStore(common.metadataAddresses(),
                common.timeout())) {
            R result = Futures.await(operation.apply(store), common.timeout());
            PrintWriter out = spec.commandLine().getOut();
            out.println(line.apply(new ResultFormatter(common.json(), common.verbose()), result));
            out.flush();
            return result;
        }
    }
}
