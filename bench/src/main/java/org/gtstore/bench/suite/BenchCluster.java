package org.gtstore.bench.suite;

import java.util.List;

/**
 * A cluster a benchmark runs against. Closing it stops it if the benchmark started it, and does
 * nothing for a cluster that was already running.
 */
public interface BenchCluster extends AutoCloseable {
    /** The metadata members' {@code host:port} addresses. */
    List<String> metadataAddresses();

    @Override
    void close();

    /** A running cluster the benchmark must leave running. */
    static BenchCluster running(List<String> metadataAddresses) {
        List<String> addresses = List.copyOf(metadataAddresses);
        return new BenchCluster() {
            @Override
            public List<String> metadataAddresses() {
                return addresses;
            }

            @Override
            public void close() {
                // Not ours to stop.
            }
        };
    }
}
