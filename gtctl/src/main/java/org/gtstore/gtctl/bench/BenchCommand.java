package org.gtstore.gtctl.bench;

import picocli.CommandLine.Command;

/** {@code gtctl bench ...}: the benchmarks (module {@code bench}); each one is a subcommand. */
@Command(name = "bench", description = "Benchmarks (throughput, load balance, YCSB).",
        subcommands = {BenchThroughputCommand.class, BenchLoadBalanceCommand.class,
            BenchYcsbCommand.class})
public final class BenchCommand {
}
