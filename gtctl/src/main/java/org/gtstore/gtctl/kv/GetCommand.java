package org.gtstore.gtctl.kv;

import java.util.concurrent.Callable;
import org.gtstore.gtctl.CommonOptions;
import org.gtstore.gtctl.Connector;
import org.gtstore.gtctl.Gtctl;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gtctl get KEY}: prints {@code <key>, <value>, <server that answered>}, or
 * {@code <key>, NOT_FOUND} on stdout with exit code 1.
 */
@Command(name = "get", description = "Read KEY; prints '<key>, <value>, <server>'"
        + " or '<key>, NOT_FOUND' (exit code 1).")
public final class GetCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "KEY", description = "The key.")
    private String key;

    private final Connector connector;

    GetCommand(Connector connector) {
        this.connector = connector;
    }

    @Override
    public Integer call() {
        ReadOutcome r = SingleOperation.run(common.secured(connector),
                common.metadataAddresses(), common.timeout(),
                common.formatter(), spec.commandLine().getOut(), store -> store.get(key),
                (format, result) -> format.get(key, result));
        return r.found() ? Gtctl.EXIT_OK : Gtctl.EXIT_FAILURE;
    }
}
