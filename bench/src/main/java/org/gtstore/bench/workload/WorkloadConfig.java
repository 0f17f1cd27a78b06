package org.gtstore.bench.workload;

/**
 * What a throughput workload does: how many operations, which share of them are GETs, over how
 * many keys, with which values, and how keys are chosen. Everything follows from {@code seed}.
 *
 * @param seed fixes the key set, the operation sequence and every value
 * @param opCount operations in the measured phase; the preload is not counted here
 * @param getPercent the chance, in percent, that an operation is a GET (the rest are PUTs)
 * @param keyCount distinct keys; each is {@link KeySpace#KEY_BYTES} bytes
 * @param valueBytes the length of every value
 * @param distribution how an operation picks its key
 * @param zipfExponent the Zipf exponent s; used only with {@link KeyDistribution#ZIPF}
 * @param casPercent the chance, in percent, that an operation is a compare-and-set update
 *     (read, then put if unchanged); GETs and CAS together at most 100, PUTs the rest
 */
public record WorkloadConfig(
        long seed,
        int opCount,
        int getPercent,
        int keyCount,
        int valueBytes,
        KeyDistribution distribution,
        double zipfExponent,
        int casPercent) {

    public static final long DEFAULT_SEED = 42L;
    public static final int DEFAULT_OP_COUNT = 200_000;
    public static final int DEFAULT_GET_PERCENT = 50;
    public static final int DEFAULT_KEY_COUNT = 100_000;
    public static final int DEFAULT_VALUE_BYTES = 32;
    /** YCSB's default request-distribution constant. */
    public static final double DEFAULT_ZIPF_EXPONENT = 0.99;
    /** The store's limit (common.proto {@code VALUE_BYTES_MAX}). */
    public static final int VALUE_BYTES_MAX = 1 << 20;

    public WorkloadConfig {
        if (opCount < 0) {
            throw new IllegalArgumentException("opCount < 0: " + opCount);
        }
        if (getPercent < 0 || getPercent > 100) {
            throw new IllegalArgumentException("getPercent not in [0, 100]: " + getPercent);
        }
        if (casPercent < 0 || getPercent + casPercent > 100) {
            throw new IllegalArgumentException("casPercent not in [0, " + (100 - getPercent)
                    + "] (GETs and CAS together at most 100 percent): " + casPercent);
        }
        if (keyCount <= 0) {
            throw new IllegalArgumentException("keyCount <= 0: " + keyCount);
        }
        if (valueBytes <= 0 || valueBytes > VALUE_BYTES_MAX) {
            throw new IllegalArgumentException(
                    "valueBytes not in [1, " + VALUE_BYTES_MAX + "]: " + valueBytes);
        }
        if (distribution == null) {
            throw new NullPointerException("distribution == null");
        }
        if (!(zipfExponent > 0) || Double.isInfinite(zipfExponent)) {
            throw new IllegalArgumentException("zipfExponent must be positive: " + zipfExponent);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from the benchmark's defaults: 200,000 ops, 50% GET, 100,000 keys. */
    public static final class Builder {
        private long seed = DEFAULT_SEED;
        private int opCount = DEFAULT_OP_COUNT;
        private int getPercent = DEFAULT_GET_PERCENT;
        private int keyCount = DEFAULT_KEY_COUNT;
        private int valueBytes = DEFAULT_VALUE_BYTES;
        private KeyDistribution distribution = KeyDistribution.UNIFORM;
        private double zipfExponent = DEFAULT_ZIPF_EXPONENT;
        private int casPercent;

        private Builder() {
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder opCount(int opCount) {
            this.opCount = opCount;
            return this;
        }

        public Builder getPercent(int getPercent) {
            this.getPercent = getPercent;
            return this;
        }

        public Builder keyCount(int keyCount) {
            this.keyCount = keyCount;
            return this;
        }

        public Builder valueBytes(int valueBytes) {
            this.valueBytes = valueBytes;
            return this;
        }

        public Builder distribution(KeyDistribution distribution) {
            this.distribution = distribution;
            return this;
        }

        public Builder zipfExponent(double zipfExponent) {
            this.zipfExponent = zipfExponent;
            return this;
        }

        public Builder casPercent(int casPercent) {
            this.casPercent = casPercent;
            return this;
        }

        public WorkloadConfig build() {
            return new WorkloadConfig(seed, opCount, getPercent, keyCount, valueBytes,
                    distribution, zipfExponent, casPercent);
        }
    }
}
