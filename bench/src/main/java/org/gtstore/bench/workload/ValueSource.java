package org.gtstore.bench.workload;

/**
 * Fixed-width ASCII values, fixed by the seed and a 64-bit slot number. The preload and the
 * measured phase use different slots, so a GET in the measured phase can tell (if it wanted to)
 * which phase wrote the value it read.
 */
public final class ValueSource {
    private final long base;
    private final int valueBytes;

    public ValueSource(long seed, int valueBytes) {
        if (valueBytes <= 0) {
            throw new IllegalArgumentException("valueBytes <= 0: " + valueBytes);
        }
        // A different stream from KeySpace's, so a value never equals a key by construction.
        this.base = Mix64.mix(~seed);
        this.valueBytes = valueBytes;
    }

    public int valueBytes() {
        return valueBytes;
    }

    /** A new array of {@code valueBytes} hex digits for the given slot. */
    public byte[] value(long slot) {
        byte[] out = new byte[valueBytes];
        byte[] chunk = new byte[16];
        long state = base + slot;
        for (int offset = 0; offset < valueBytes; offset += 16) {
            state = Mix64.mix(state);
            KeySpace.writeHex(state, chunk, 0);
            System.arraycopy(chunk, 0, out, offset, Math.min(16, valueBytes - offset));
        }
        return out;
    }
}
