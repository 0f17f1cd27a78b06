package org.gtstore.bench.workload;

/** The kinds of operation a throughput workload issues. */
public enum OpType {
    GET,
    PUT
}
