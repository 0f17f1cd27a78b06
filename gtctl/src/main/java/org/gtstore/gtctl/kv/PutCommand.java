package org.gtstore.gtctl.kv;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.gtstore.gtctl.CommonOptions;
import org.gtstore.gtctl.Connector;
import org.gtstore.gtctl.Gtctl;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gtctl put KEY VALUE [--if-version N | --if-absent] [--ttl DURATION]}: prints
 * {@code OK, <head that accepted the write>}, or for a condition that failed
 * {@code CONFLICT, <current version>} (exit {@value Gtctl#EXIT_CONFLICT}).
 */
@Command(name = "put", description = {"Write VALUE under KEY; prints 'OK, <server>'.",
    "With a condition, writes only if it holds; otherwise prints 'CONFLICT, <current version>'"
        + " and exits 3."})
public final class PutCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "KEY", description = "The key (any UTF-8 string).")
    private String key;

    @Parameters(index = "1", paramLabel = "VALUE", description = "The value (any UTF-8 string).")
    private String value;

    @ArgGroup(exclusive = true)
    private WriteCondition condition;

    @Option(names = "--ttl", paramLabel = "DURATION", converter = TtlConverter.class,
            description = "The value expires this long after it is written (500ms, 30s, 5m, 2h,"
                    + " 7d): from then on it reads as not found, and the cluster deletes it.")
    private Duration ttl;

    private final Connector connector;

    PutCommand(Connector connector) {
        this.connector = connector;
    }

    @Override
    public Integer call() {
        WriteOutcome r = SingleOperation.run(common.secured(connector),
                common.metadataAddresses(), common.timeout(), common.formatter(),
                spec.commandLine().getOut(), store -> condition == null ? store.put(key, value, ttl)
                        : store.putIf(key, value, condition.ifVersion(spec), ttl),
                (format, result) -> format.put(key, result));
        return r.conflict() ? Gtctl.EXIT_CONFLICT : Gtctl.EXIT_OK;
    }
}
