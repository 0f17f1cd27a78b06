package org.gtstore.bench.latency;

import org.HdrHistogram.AbstractHistogram;

/**
 * The latency percentiles of one operation type, in microseconds. Percentiles are HdrHistogram's
 * "value at percentile": the highest value equivalent (within 3 significant digits) to the
 * recorded value at that rank, so p50 of 1..1000 is 500 and p99 is 990.
 */
public record LatencySummary(
        long count,
        long minUs,
        long p50Us,
        long p90Us,
        long p99Us,
        long p999Us,
        long maxUs,
        double meanUs) {

    public static final LatencySummary EMPTY = new LatencySummary(0, 0, 0, 0, 0, 0, 0, 0.0);

    /** Summarises a histogram whose values are microseconds. */
    public static LatencySummary of(AbstractHistogram histogram) {
        if (histogram.getTotalCount() == 0) {
            return EMPTY;
        }
        return new LatencySummary(
                histogram.getTotalCount(),
                histogram.getMinValue(),
                histogram.getValueAtPercentile(50.0),
                histogram.getValueAtPercentile(90.0),
                histogram.getValueAtPercentile(99.0),
                histogram.getValueAtPercentile(99.9),
                histogram.getMaxValue(),
                histogram.getMean());
    }
}
