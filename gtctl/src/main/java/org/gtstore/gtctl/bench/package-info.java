/**
 * {@code gtctl bench ...}: the options and output of the benchmarks, which the {@code bench}
 * module ({@code org.gtstore.bench}) runs and measures; each measurement runs on a
 * {@link org.gtstore.gtctl.bench.FreshBenchCluster} unless {@code --use-running} is given.
 */
package org.gtstore.gtctl.bench;
