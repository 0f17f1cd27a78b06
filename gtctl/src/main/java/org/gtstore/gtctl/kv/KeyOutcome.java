package org.gtstore.gtctl.kv;

/**
 * One key's outcome in a batch ({@code mget}, {@code mput}): its result, or why it failed
 * (then {@code result} is null).
 */
record KeyOutcome<T>(String key, T result, String error) {
    static <T> KeyOutcome<T> ok(String key, T result) {
        return new KeyOutcome<>(key, result, null);
    }

    static <T> KeyOutcome<T> failed(String key, String error) {
        return new KeyOutcome<>(key, null, error);
    }

    boolean succeeded() {
        return error == null;
    }
}
