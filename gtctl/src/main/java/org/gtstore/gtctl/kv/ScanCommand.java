package org.gtstore.gtctl.kv;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.gtstore.gtctl.CommonOptions;
import org.gtstore.gtctl.Connector;
import org.gtstore.gtctl.Gtctl;
import org.gtstore.proto.Limits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gtctl scan [--prefix P] [--limit N] [--keys-only]}: prints {@code <key>, <value>}
 * (or {@code <key>}) for every key, page by page as the pages arrive, partition by
 * partition; with {@code --json} one object per key.
 */
@Command(name = "scan", description = {"Print every key (with --prefix, those that start with"
        + " it) and its value, '<key>, <value>' per line, as the pages arrive.",
    "Each value is committed; a key present throughout the scan is printed exactly once."})
public final class ScanCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Spec
    private CommandSpec spec;

    @Option(names = "--prefix", paramLabel = "P", defaultValue = "",
            description = "Only keys that start with P.")
    private String prefix;

    @Option(names = "--limit", paramLabel = "N",
            description = "Print at most N keys (default: every key).")
    private Long limit;

    @Option(names = "--keys-only", description = "Print the keys alone.")
    private boolean keysOnly;

    private final Connector connector;

    ScanCommand(Connector connector) {
        this.connector = connector;
    }

    @Override
    public Integer call() {
        if (limit != null && limit < 1) {
            throw new ParameterException(spec.commandLine(), "--limit must be at least 1: "
                    + limit);
        }
        PrintWriter out = spec.commandLine().getOut();
        ResultFormatter format = common.formatter();
        long left = limit == null ? Long.MAX_VALUE : limit;
        int pageMax = Limits.SCAN_ENTRIES_MAX_VALUE;
        try (KeyValueStore store = common.secured(connector).openStore(
                common.metadataAddresses(), common.timeout())) {
            String cursor = null;
            do {
                int page = (int) Math.min(left, pageMax);
                ScanOutcome r = Futures.await(store.scan(prefix, cursor, page, keysOnly),
                        common.timeout());
                for (ScanOutcome.Entry e : r.entries()) {
                    out.println(format.scanEntry(e, keysOnly));
                }
                out.flush();
                left -= r.entries().size();
                cursor = r.nextCursor();
            } while (cursor != null && left > 0);
        }
        return Gtctl.EXIT_OK;
    }
}
