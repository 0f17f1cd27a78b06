package org.gtstore.gtctl;

import picocli.CommandLine.Command;

/** {@code gtctl bench ...}: the benchmarks (module {@code bench}); each one is a subcommand. */
@Command(name = "bench", description = "Benchmarks (throughput, load balance, YCSB).",
        subcommands = {BenchThroughputCommand.class, BenchLoadBalanceCommand.class,
            BenchYcsbCommand.class})
public final class BenchCommand {
}
