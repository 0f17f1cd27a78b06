package org.gtstore.bench.workload;

import java.util.SplittableRandom;

/**
 * One seeded workload: a preload that writes every key once, then {@code opCount} operations.
 *
 * <p>The operation sequence (type and key of operation {@code i}) is drawn once, up front, from
 * {@code SplittableRandom(seed)}, so generating it costs nothing during the measured phase and
 * two runs with the same seed issue the same sequence. Each operation is a GET with probability
 * {@code getPercent / 100}, a compare-and-set update with {@code casPercent / 100} and a PUT
 * otherwise, independently (as YCSB and memtier do), so the realised mix is within a fraction
 * of a percent of the target for the default 200,000 operations.
 *
 * <p>The preload exists so that GETs read keys that have a value; it is a separate phase and its
 * writes are not counted in {@code opCount}, in the throughput or in the latency histograms.
 * Values are made on demand ({@link #putValue}), because a client may keep a reference to the
 * array until the write completes.
 */
public final class Workload {
    private final WorkloadConfig config;
    private final KeySpace keys;
    private final ValueSource values;
    private final OpType[] types;
    private final int[] keyIndexes;

    public Workload(WorkloadConfig config) {
        this.config = config;
        this.keys = new KeySpace(config.seed(), config.keyCount());
        this.values = new ValueSource(config.seed(), config.valueBytes());
        this.types = new OpType[config.opCount()];
        this.keyIndexes = new int[config.opCount()];
        draw();
    }

    private void draw() {
        SplittableRandom random = new SplittableRandom(config.seed());
        ZipfSampler zipf = config.distribution() == KeyDistribution.ZIPF
                ? new ZipfSampler(config.keyCount(), config.zipfExponent())
                : null;
        for (int i = 0; i < types.length; i++) {
            int draw = random.nextInt(100);
            types[i] = draw < config.getPercent() ? OpType.GET
                    : draw < config.getPercent() + config.casPercent() ? OpType.CAS : OpType.PUT;
            keyIndexes[i] = zipf == null
                    ? random.nextInt(config.keyCount())
                    : zipf.sample(random) - 1;
        }
    }

    public WorkloadConfig config() {
        return config;
    }

    public KeySpace keys() {
        return keys;
    }

    /** The number of operations in the measured phase. */
    public int opCount() {
        return types.length;
    }

    public OpType type(int op) {
        return types[op];
    }

    /** The index in {@link #keys()} of the key operation {@code op} reads or writes. */
    public int keyIndex(int op) {
        return keyIndexes[op];
    }

    public byte[] key(int op) {
        return keys.key(keyIndexes[op]);
    }

    /** The value a PUT or CAS at operation {@code op} writes; a fresh array. */
    public byte[] putValue(int op) {
        return values.value(op);
    }

    /** The number of preload writes: one per key. */
    public int preloadCount() {
        return keys.keyCount();
    }

    /** The value the preload writes to key {@code keyIndex}; distinct from every op's value. */
    public byte[] preloadValue(int keyIndex) {
        return values.value(-1L - keyIndex);
    }
}
