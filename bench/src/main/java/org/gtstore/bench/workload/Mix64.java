package org.gtstore.bench.workload;

/**
 * The SplitMix64 finalizer. It is a bijection on 64-bit values, so distinct inputs give distinct
 * outputs; that is what makes the generated keys unique without a set to check them against.
 */
final class Mix64 {
    private Mix64() {
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
