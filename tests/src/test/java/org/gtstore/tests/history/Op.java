package org.gtstore.tests.history;

/**
 * One operation on one key as a client saw it: when it was invoked, when it completed, and what
 * it returned. Times are from one monotonic clock ({@link System#nanoTime()}).
 *
 * <p>An operation whose outcome is unknown (a put that timed out or failed after retries: the
 * head may have committed it) has {@code completedNs == Long.MAX_VALUE}: it may take effect at
 * any point after its invocation, or never.
 *
 * @param id distinct per history, dense from 0
 * @param kind read or write
 * @param value the value written, or the value read ({@code null} = not found / deleted)
 */
public record Op(int id, String key, Kind kind, String value, long invokedNs, long completedNs) {
    public enum Kind { READ, WRITE }

    public static final long UNKNOWN = Long.MAX_VALUE;

    public Op {
        if (completedNs < invokedNs) {
            throw new IllegalArgumentException("completedNs < invokedNs: " + completedNs + " < " + invokedNs);
        }
        if (kind == Kind.READ && completedNs == UNKNOWN) {
            throw new IllegalArgumentException("a read with an unknown outcome tells nothing; drop it");
        }
    }

    public boolean outcomeUnknown() {
        return completedNs == UNKNOWN;
    }

    @Override
    public String toString() {
        String end = outcomeUnknown() ? "?" : Long.toString(completedNs);
        return "#" + id + " " + kind + "(" + key + (kind == Kind.WRITE ? "=" : "->") + value + ") ["
                + invokedNs + ", " + end + "]";
    }
}
