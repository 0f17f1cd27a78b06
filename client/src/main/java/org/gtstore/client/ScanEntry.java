package org.gtstore.client;

import java.nio.charset.StandardCharsets;

/** One key of a scan page, with its committed value (empty with keys only) and version. */
public final class ScanEntry {
    private final byte[] key;
    private final byte[] value;
    private final long version;

    /** Takes the arrays as they are (the client made them for this entry). */
    public ScanEntry(byte[] key, byte[] value, long version) {
        this.key = key;
        this.value = value;
        this.version = version;
    }

    /** The key (a copy). */
    public byte[] key() {
        return key.clone();
    }

    /** The key decoded as UTF-8. */
    public String keyUtf8() {
        return new String(key, StandardCharsets.UTF_8);
    }

    /** The value (a copy); empty when the scan asked for keys only. */
    public byte[] value() {
        return value.clone();
    }

    /** The value decoded as UTF-8. */
    public String valueUtf8() {
        return new String(value, StandardCharsets.UTF_8);
    }

    /** The version of the value, as a get returns it (a compare-and-set can name it). */
    public long version() {
        return version;
    }

    @Override
    public String toString() {
        return keyUtf8() + " (version " + version + ")";
    }
}
