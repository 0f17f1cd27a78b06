package org.gtstore.dataserver.server;

import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBucket;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.PassHistogram;

/**
 * What the replica driver measures as it works, in a Prometheus registry: the time of a pass
 * and of its store write, the time to answer a get or a scan page from the store, the requests
 * answered with an error (per operation and code), and the expired values its sweeps found.
 * Cheap enough to keep on whether or not the registry is served: a histogram observation is a
 * few atomic adds. Called from the driver's loop only.
 */
public final class ReplicaMetrics {
    /** Upper bounds in seconds: 50 us to 1 s, a pass and a store read live in that range. */
    private static final double[] BUCKETS = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1};

    private final Histogram pass;
    private final DistributionDataPoint storeWrite;
    private final DistributionDataPoint getRead;
    private final DistributionDataPoint scanRead;
    private final Counter errors;
    private final Counter expired;

    public ReplicaMetrics(PrometheusRegistry registry) {
        pass = Histogram.builder().name("gtstore_dataserver_pass_seconds")
                .help("One pass of the replica driver: step the inputs, write the store, send")
                .classicUpperBounds(BUCKETS).register(registry);
        storeWrite = Histogram.builder().name("gtstore_dataserver_store_write_seconds")
                .help("The store write of one pass (one atomic batch)")
                .classicUpperBounds(BUCKETS).register(registry);
        Histogram reads = Histogram.builder().name("gtstore_dataserver_read_seconds")
                .help("Reading the answer to a get or a scan page from the store, at the tail")
                .classicUpperBounds(BUCKETS).labelNames("op").register(registry);
        getRead = reads.labelValues("get");
        scanRead = reads.labelValues("scan");
        errors = Counter.builder().name("gtstore_dataserver_request_errors_total")
                .help("Client requests answered with an error, by operation and code")
                .labelNames("op", "code").register(registry);
        expired = Counter.builder().name("gtstore_dataserver_expired_found_total")
                .help("Expired values the sweeps found still stored (their heads delete them)")
                .register(registry);
    }

    /** The pass histogram so far (see {@code StatsResponse.passes}); any thread. */
    public PassHistogram passes() {
        PassHistogram.Builder b = PassHistogram.newBuilder();
        for (ClassicHistogramBucket bucket : pass.collect().getDataPoints().get(0)
                .getClassicBuckets()) {
            b.addUpperBounds(bucket.getUpperBound()).addCounts(bucket.getCount());
        }
        return b.build();
    }

    void pass(long nanos) {
        pass.observe(nanos / 1e9);
    }

    void storeWrite(long nanos) {
        storeWrite.observe(nanos / 1e9);
    }

    void getRead(long nanos) {
        getRead.observe(nanos / 1e9);
    }

    void scanRead(long nanos) {
        scanRead.observe(nanos / 1e9);
    }

    /** A reply to a client: counted if it is an error (not OK, NOT_FOUND or CONFLICT). */
    void answered(String op, ErrorCode code) {
        if (code != ErrorCode.OK && code != ErrorCode.NOT_FOUND && code != ErrorCode.CONFLICT) {
            errors.labelValues(op, code.name()).inc();
        }
    }

    void expiredFound(int n) {
        expired.inc(n);
    }
}
