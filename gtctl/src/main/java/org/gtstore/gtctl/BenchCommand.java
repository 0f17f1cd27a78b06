package org.gtstore.gtctl;

import picocli.CommandLine.Command;

/** {@code gtctl bench ...}: the benchmarks; each one is a subcommand. */
@Command(name = "bench", description = "Benchmarks (throughput, load balance).")
public final class BenchCommand {
}
