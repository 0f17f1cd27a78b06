package org.gtstore.client;

/**
 * The condition of a compare-and-set write: the key's latest version must be the one given,
 * or the key must have no value. Versions are those a get or a write returned
 * ({@link GetResult#version()}, {@link PutResult#version()}); a key that was never written or
 * was deleted is absent. The head of the key's chain decides it in sequence order with every
 * other write of the key, so a write that succeeds is the next one after that version.
 */
public final class Condition {
    private static final Condition ABSENT = new Condition(0);

    private final long version;

    private Condition(long version) {
        this.version = version;
    }

    /** Write only if the key's latest version is {@code version} (at least 1). */
    public static Condition ifVersion(long version) {
        if (version < 1) {
            throw new IllegalArgumentException("a version is at least 1: " + version
                    + " (use Condition.ifAbsent() for a key without a value)");
        }
        return new Condition(version);
    }

    /** Write only if the key has no value: never written, or deleted. */
    public static Condition ifAbsent() {
        return ABSENT;
    }

    /** The version the key must have; 0 for {@link #ifAbsent()}. */
    public long version() {
        return version;
    }

    public boolean absent() {
        return version == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Condition c && c.version == version;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(version);
    }

    @Override
    public String toString() {
        return absent() ? "if absent" : "if version " + version;
    }
}
