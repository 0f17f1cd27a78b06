package org.gtstore.gtctl.kv;

import java.util.concurrent.Callable;
import org.gtstore.gtctl.CommonOptions;
import org.gtstore.gtctl.Connector;
import org.gtstore.gtctl.Gtctl;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gtctl delete KEY [--if-version N]}: prints {@code OK, <head that accepted the
 * delete>}, or for a version that did not match {@code CONFLICT, <current version>} (exit
 * {@value Gtctl#EXIT_CONFLICT}).
 */
@Command(name = "delete", description = {"Delete KEY; prints 'OK, <server>'.",
    "With --if-version, deletes only if the key has that version; otherwise prints"
        + " 'CONFLICT, <current version>' and exits 3."})
public final class DeleteCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "KEY", description = "The key.")
    private String key;

    @Option(names = "--if-version", paramLabel = "N",
            description = "Delete only if the key's version is N (from get --json or put).")
    private Long ifVersion;

    private final Connector connector;

    DeleteCommand(Connector connector) {
        this.connector = connector;
    }

    @Override
    public Integer call() {
        if (ifVersion != null && ifVersion < 1) {
            throw new ParameterException(spec.commandLine(),
                    "--if-version must be at least 1: " + ifVersion);
        }
        WriteOutcome r = SingleOperation.run(common.secured(connector),
                common.metadataAddresses(), common.timeout(), common.formatter(),
                spec.commandLine().getOut(), store -> ifVersion == null ? store.delete(key)
                        : store.deleteIf(key, ifVersion),
                (format, result) -> format.delete(key, result));
        return r.conflict() ? Gtctl.EXIT_CONFLICT : Gtctl.EXIT_OK;
    }
}
