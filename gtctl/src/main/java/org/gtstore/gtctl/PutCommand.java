package org.gtstore.gtctl;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gtctl put KEY VALUE}: prints {@code OK, <head that accepted the write>}. */
@Command(name = "put", description = "Write VALUE under KEY; prints 'OK, <server>'.")
final class PutCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "KEY", description = "The key (any UTF-8 string).")
    private String key;

    @Parameters(index = "1", paramLabel = "VALUE", description = "The value (any UTF-8 string).")
    private String value;

    private final Connector connector;

    PutCommand(Connector connector) {
        this.connector = connector;
    }

    @Override
    public Integer call() {
        SingleOperation.run(common.secured(connector), common.metadataAddresses(), common.timeout(),
                common.formatter(), spec.commandLine().getOut(), store -> store.put(key, value),
                (format, result) -> format.put(key, result));
        return Gtctl.EXIT_OK;
    }
}
