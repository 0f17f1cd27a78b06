package org.gtstore.bench.workload;

/** The kinds of operation a throughput workload issues. */
public enum OpType {
    GET,
    PUT,
    /** A compare-and-set update: read the key, then put it only if its version is unchanged. */
    CAS
}
