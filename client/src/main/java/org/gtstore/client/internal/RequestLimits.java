package org.gtstore.client.internal;

import org.gtstore.client.InvalidRequestException;
import org.gtstore.proto.Limits;

/** The wire limits on keys and values, checked before anything is sent. */
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

    /** Throws InvalidRequestException if the value is longer than the limit. */
    public static void checkValue(int valueBytes) {
        if (valueBytes > VALUE_BYTES_MAX) {
            throw new InvalidRequestException("value is " + valueBytes
                    + " bytes, more than the limit of " + VALUE_BYTES_MAX + " bytes (1 MiB)");
        }
    }
}
