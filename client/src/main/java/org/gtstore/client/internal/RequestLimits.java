package org.gtstore.client.internal;

import java.time.Duration;
import org.gtstore.client.InvalidRequestException;
import org.gtstore.proto.Limits;
import org.gtstore.proto.Ttl;

/** The wire limits on keys, values and TTLs, checked before anything is sent. */
public final class RequestLimits {
    public static final int KEY_BYTES_MAX = Limits.KEY_BYTES_MAX_VALUE;
    public static final int VALUE_BYTES_MAX = Limits.VALUE_BYTES_MAX_VALUE;

    private RequestLimits() {
    }

    /** Throws InvalidRequestException if the key is empty or longer than the limit. */
    public static void checkKey(int keyBytes) {
        if (keyBytes == 0) {
            throw new InvalidRequestException("key is empty: a key needs at least one byte");
        }
        if (keyBytes > KEY_BYTES_MAX) {
            throw new InvalidRequestException("key is " + keyBytes
                    + " bytes, more than the limit of " + KEY_BYTES_MAX + " bytes");
        }
    }

    /**
     * A TTL in ms for the wire: at least 1 ms, at most {@link Ttl#MAX_MS}; null means none (0).
     * Throws InvalidRequestException otherwise.
     */
    public static long ttlMs(Duration ttl) {
        if (ttl == null) {
            return 0;
        }
        if (ttl.compareTo(Duration.ofMillis(Ttl.MAX_MS)) > 0) {
            throw new InvalidRequestException("a ttl is at most ten years: " + ttl);
        }
        if (ttl.isNegative() || ttl.toMillis() < 1) {
            throw new InvalidRequestException("a ttl is at least 1 ms: " + ttl);
        }
        return ttl.toMillis();
    }

    /** Throws InvalidRequestException if the value is longer than the limit. */
    public static void checkValue(int valueBytes) {
        if (valueBytes > VALUE_BYTES_MAX) {
            throw new InvalidRequestException("value is " + valueBytes
                    + " bytes, more than the limit of " + VALUE_BYTES_MAX + " bytes (1 MiB)");
        }
    }
}
