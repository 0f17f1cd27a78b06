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
        SingleOperation.run(common.secured(connector), common.metadataAddresses(), common.timeout(),
                common.formatter(), spec.commandLine().getOut(), store -> store.delete(key),
                (format, result) -> format.delete(key, result));
        return Gtctl.EXIT_OK;
    }
}
