package org.gtstore.proto;

/**
 * The key-to-partition function. It is part of the wire contract: a client routes a key with it
 * and a data server checks with it that a request's key belongs to the partition it names, so
 * both sides must compute exactly the same thing forever. Changing it is a format change.
 *
 * <p>The hash is 64-bit FNV-1a over the key's bytes followed by the MurmurHash3 {@code fmix64}
 * finalizer, which spreads FNV's weak low bits; the partition is the hash modulo the partition
 * count, taken as an unsigned number.
 */
public final class KeyPartitioner {
    private static final long FNV_OFFSET_BASIS = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private final int partitions;

    public KeyPartitioner(int partitions) {
        if (partitions <= 0) {
            throw new IllegalArgumentException("partitions <= 0: " + partitions);
        }
        this.partitions = partitions;
    }

    public int partitions() {
        return partitions;
    }

    /** The partition of a key given as its UTF-8 (or any) bytes. */
    public int partitionOf(byte[] key) {
        return partitionOf(hash64(key), partitions);
    }

    /** The partition of a key given as a protobuf ByteString, without copying it. */
    public int partitionOf(com.google.protobuf.ByteString key) {
        long h = FNV_OFFSET_BASIS;
        for (int i = 0, n = key.size(); i < n; i++) {
            h ^= key.byteAt(i) & 0xff;
            h *= FNV_PRIME;
        }
        return partitionOf(fmix64(h), partitions);
    }

    static int partitionOf(long hash, int partitions) {
        return (int) Long.remainderUnsigned(hash, partitions);
    }

    /** The stable 64-bit hash of a key. */
    public static long hash64(byte[] key) {
        long h = FNV_OFFSET_BASIS;
        for (byte b : key) {
            h ^= b & 0xff;
            h *= FNV_PRIME;
        }
        return fmix64(h);
    }

    private static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
