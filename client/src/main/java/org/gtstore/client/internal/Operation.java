package org.gtstore.client.internal;

import com.google.protobuf.ByteString;

/**
 * One client operation as the dispatcher carries it through its retries.
 *
 * @param type put, delete or get
 * @param key the key (already checked against the limits)
 * @param value the value of a put; empty otherwise
 * @param requestId the id every attempt of a put or delete carries; 0 for a get
 * @param conditional a compare-and-set write: only if the key's version is {@code ifVersion}
 * @param ifVersion the version a conditional write requires, 0 for "no value"
 * @param ttlMs a put's time to live in ms (0: none), counted from when the head accepts it
 */
public record Operation(Type type, ByteString key, ByteString value, long requestId,
        boolean conditional, long ifVersion, long ttlMs) {

    /** An unconditional operation without a TTL. */
    public Operation(Type type, ByteString key, ByteString value, long requestId) {
        this(type, key, value, requestId, false, 0, 0);
    }

    /** The three operations. */
    public enum Type {
        PUT("put"), DELETE("delete"), GET("get"), SCAN("scan");

        private final String label;

        Type(String label) {
            this.label = label;
        }

        public boolean write() {
            return this == PUT || this == DELETE;
        }

        public String label() {
            return label;
        }
    }

    /** For messages: "put of key 'k1'". */
    public String describe() {
        return type == Type.SCAN ? "scan" : type.label() + " of key " + KeyText.of(key);
    }
}
