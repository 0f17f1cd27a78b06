package org.gtstore.gtctl;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gtctl delete KEY}: prints {@code OK, <head that accepted the delete>}. */
@Command(name = "delete", description = "Delete KEY; prints 'OK, <server>'.")
final class DeleteCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "KEY", description = "The key.")
    private String key;

    private final Connector connector;

    DeleteCommand(Connector connector) {
        this.connector = connector;
    }

    @Override
    public Integer call() {
        try (KeyValueStore store = connector.openStore(common.metadataAddresses(),
                common.timeout())) {
            WriteOutcome r = Futures.await(store.delete(key), common.timeout());
            ResultFormatter format = new ResultFormatter(common.json(), common.verbose());
            spec.commandLine().getOut().println(format.delete(key, r));
            spec.commandLine().getOut().flush();
            return Gtctl.EXIT_OK;
        }
    }
}
