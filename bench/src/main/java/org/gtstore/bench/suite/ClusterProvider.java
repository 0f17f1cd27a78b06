package org.gtstore.bench.suite;

/**
 * Gives the throughput suite a cluster for each replication factor: in {@code gtctl} a fresh
 * one started by the cluster launcher, or the one running cluster with {@code --use-running}.
 * It lives here as an interface because {@code bench} must not depend on {@code gtctl}.
 */
@FunctionalInterface
public interface ClusterProvider {
    /** A ready cluster with replication factor {@code replication}. */
    BenchCluster start(int replication) throws Exception;
}
