package org.gtstore.client;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The outcome of a conditional put or delete: written (the condition held and the whole chain
 * has the write), or not written because the key's committed version was another one, which
 * this gives with its value so that a compare-and-set loop can go on without a read.
 */
public final class ConditionalResult {
    private final PutResult write;
    private final long currentVersion;
    private final byte[] currentValue;

    private ConditionalResult(PutResult write, long currentVersion, byte[] currentValue) {
        this.write = write;
        this.currentVersion = currentVersion;
        this.currentValue = currentValue;
    }

    /**
     * The condition held: {@code write} is the acknowledged write ({@code delete}: a delete)
     * of {@code value} (null if not kept), which the result takes and does not copy.
     */
    public static ConditionalResult written(PutResult write, boolean delete, byte[] value) {
        return new ConditionalResult(write, delete ? 0 : write.version(), delete ? null : value);
    }

    /**
     * The condition failed: the key's committed version (0: no value) and value (null if it
     * has none), which the result takes and does not copy.
     */
    public static ConditionalResult conflict(long currentVersion, byte[] currentValue) {
        return new ConditionalResult(null, currentVersion, currentValue);
    }

    /** True if the condition held and the write was made. */
    public boolean succeeded() {
        return write != null;
    }

    /**
     * The acknowledged write.
     *
     * @throws IllegalStateException if the condition failed (nothing was written)
     */
    public PutResult write() {
        if (write == null) {
            throw new IllegalStateException("the condition failed: the key's version is "
                    + currentVersion);
        }
        return write;
    }

    /**
     * The key's version now, as far as this write knows: the version of the write it made
     * (0 after a delete), or the committed version that failed the condition (0: no value).
     * The condition for a next compare-and-set of the key.
     */
    public long currentVersion() {
        return currentVersion;
    }

    /** The key's value that goes with {@link #currentVersion()}; empty if it has none. */
    public Optional<byte[]> currentValue() {
        return Optional.ofNullable(currentValue).map(byte[]::clone);
    }

    /** {@link #currentValue()} as UTF-8 text. */
    public Optional<String> currentValueUtf8() {
        return Optional.ofNullable(currentValue)
                .map(v -> new String(v, StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return succeeded() ? "written " + write : "conflict: current version " + currentVersion;
    }
}
