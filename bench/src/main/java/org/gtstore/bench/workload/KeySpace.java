package org.gtstore.bench.workload;

import java.nio.charset.StandardCharsets;

/**
 * The keys a benchmark uses: {@code keyCount} distinct 16-byte ASCII keys, fixed by the seed.
 *
 * <p>Key {@code i} is the 16 lowercase hex digits of {@code mix(mix(seed) + i)}. The mix is a
 * bijection, so the keys are distinct; they look random, so they spread over the hash partitions
 * as real keys would; and they are printable, so a person can {@code gtctl get} one. A different
 * seed gives a different key set, which lets repeated runs against one cluster start clean.
 */
public final class KeySpace {
    /** Every key is this many bytes long. */
    public static final int KEY_BYTES = 16;

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final long base;
    private final int keyCount;

    public KeySpace(long seed, int keyCount) {
        if (keyCount <= 0) {
            throw new IllegalArgumentException("keyCount <= 0: " + keyCount);
        }
        this.base = Mix64.mix(seed);
        this.keyCount = keyCount;
    }

    public int keyCount() {
        return keyCount;
    }

    /** A new array holding key {@code index}; callers may hand it to an async API and forget it. */
    public byte[] key(int index) {
        if (index < 0 || index >= keyCount) {
            throw new IndexOutOfBoundsException(
                    "key index " + index + " not in [0, " + keyCount + ")");
        }
        byte[] key = new byte[KEY_BYTES];
        writeHex(Mix64.mix(base + index), key, 0);
        return key;
    }

    /** Writes the 16 hex digits of {@code v}, most significant first, at {@code offset}. */
    static void writeHex(long v, byte[] out, int offset) {
        for (int i = 15; i >= 0; i--) {
            out[offset + i] = HEX[(int) (v & 0xf)];
            v >>>= 4;
        }
    }
}
