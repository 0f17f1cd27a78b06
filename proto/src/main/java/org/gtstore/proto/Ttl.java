package org.gtstore.proto;

import java.time.Duration;

/**
 * Times to live ({@code PutRequest.ttl_ms}, {@code Update.expires_at_ms}).
 *
 * <p>The clock assumption: the head turns a TTL into an absolute expiry on its own wall clock
 * when it accepts the write, and every server judges "expired" on its own wall clock. The
 * servers' clocks are assumed to agree within a small skew (NTP keeps them within milliseconds
 * on a LAN): a key may be seen up to that skew early or late by a server whose clock is off,
 * for instance just after its tail changed. A wall clock that jumps moves every expiry with
 * it. Once the head has deleted an expired key through the chain, every replica agrees it is
 * gone, whatever its clock says.
 */
public final class Ttl {
    /** The longest TTL a write may carry: ten years. */
    public static final long MAX_MS = Duration.ofDays(3650).toMillis();

    private Ttl() {
    }

    /** Why a put's TTL is refused, or null if it is valid. */
    public static String check(long ttlMs, boolean tombstone) {
        if (ttlMs < 0) {
            return "ttl_ms is negative: " + ttlMs;
        }
        if (ttlMs > MAX_MS) {
            return "ttl_ms " + ttlMs + " exceeds the limit of " + MAX_MS + " (ten years)";
        }
        if (tombstone && ttlMs > 0) {
            return "a delete takes no ttl";
        }
        return null;
    }

    /** True if a value expiring at {@code expiresAtMs} (0: never) has expired at {@code nowMs}. */
    public static boolean expired(long expiresAtMs, long nowMs) {
        return expiresAtMs != 0 && nowMs >= expiresAtMs;
    }
}
