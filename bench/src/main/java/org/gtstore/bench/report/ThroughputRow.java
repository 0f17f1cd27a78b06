package org.gtstore.bench.report;

import org.gtstore.bench.throughput.ThroughputResult;

/** The result of a throughput run at replication factor {@code rep} (K). */
public record ThroughputRow(int rep, ThroughputResult result) {
    public ThroughputRow {
        if (rep <= 0) {
            throw new IllegalArgumentException("rep <= 0: " + rep);
        }
        if (result == null) {
            throw new NullPointerException("result == null");
        }
    }
}
