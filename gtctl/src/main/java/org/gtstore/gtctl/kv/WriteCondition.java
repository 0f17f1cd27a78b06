package org.gtstore.gtctl.kv;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The condition of {@code put}: {@code --if-version N} or {@code --if-absent}, not both. */
final class WriteCondition {
    @Option(names = "--if-version", paramLabel = "N", required = true,
            description = "Write only if the key's version is N (from get --json or put"
                    + " --json).")
    private Long version;

    @Option(names = "--if-absent", required = true,
            description = "Write only if the key has no value (never written, or deleted).")
    private boolean absent;

    /** The version the key must have, 0 for "no value". */
    long ifVersion(CommandSpec spec) {
        if (absent) {
            return 0;
        }
        if (version < 1) {
            throw new ParameterException(spec.commandLine(), "--if-version must be at least 1: "
                    + version + " (use --if-absent for a key without a value)");
        }
        return version;
    }
}
