package org.gtstore.dataserver.jmh;

import java.util.SplittableRandom;

/** Distinct 16-byte keys, the size `gtctl bench` uses, the same on every run. */
final class BenchKeys {
    static final int KEY_BYTES = 16;

    private BenchKeys() {
    }

    /** {@code count} distinct keys. */
    static byte[][] keys(int count) {
        SplittableRandom random = new SplittableRandom(1);
        java.util.Set<java.nio.ByteBuffer> seen = new java.util.HashSet<>();
        byte[][] out = new byte[count][];
        for (int i = 0; i < count; ) {
            byte[] k = new byte[KEY_BYTES];
            random.nextBytes(k);
            if (seen.add(java.nio.ByteBuffer.wrap(k))) {
                out[i++] = k;
            }
        }
        return out;
    }
}
