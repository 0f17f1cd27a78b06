package org.gtstore.tests.history;

/**
 * One operation on one key as a client saw it: when it was invoked, when it completed, and what
 * it returned. Times are from one monotonic clock ({@link System#nanoTime()}).
 *
 * <p>An operation whose outcome is unknown (a put that timed out or failed after retries: the
 * head may have committed it) has {@code completedNs == Long.MAX_VALUE}: it may take effect at
 * any point after its invocation, or never.
 *
 * <p>A compare-and-set names the value it expects (the one that came with the version it
 * named; {@code null}: no value), so the model stays a register of values: exact when every
 * written value is distinct, as in a counter. {@code CAS} took effect (or, with an unknown
 * outcome, may have); {@code CAS_FAILED} did not, and {@code value} is the current value it
 * was answered with.
 *
 * @param id distinct per history, dense from 0
 * @param kind read, write or compare-and-set
 * @param value the value written, or the value read ({@code null} = not found / deleted), or
 *     for a failed compare-and-set the current value it was told
 * @param expected the value a compare-and-set required; null otherwise or for "no value"
 */
public record Op(int id, String key, Kind kind, String value, long invokedNs, long completedNs,
        String expected) {
    public enum Kind { READ, WRITE, CAS, CAS_FAILED }

    public Op(int id, String key, Kind kind, String value, long invokedNs, long completedNs) {
        this(id, key, kind, value, invokedNs, completedNs, null);
    }

    public static final long UNKNOWN = Long.MAX_VALUE;

    public Op {
        if (completedNs < invokedNs) {
            throw new IllegalArgumentException("completedNs < invokedNs: " + completedNs + " < " + invokedNs);
        }
        if ((kind == Kind.READ || kind == Kind.CAS_FAILED) && completedNs == UNKNOWN) {
            throw new IllegalArgumentException("an answer with an unknown outcome tells nothing;"
                    + " drop it");
        }
    }

    public boolean outcomeUnknown() {
        return completedNs == UNKNOWN;
    }

    @Override
    public String toString() {
        String end = outcomeUnknown() ? "?" : Long.toString(completedNs);
        String what = switch (kind) {
            case WRITE -> "=" + value;
            case READ -> "->" + value;
            case CAS -> " " + expected + "=>" + value;
            case CAS_FAILED -> " " + expected + "=>? saw " + value;
        };
        return "#" + id + " " + kind + "(" + key + what + ") [" + invokedNs + ", " + end + "]";
    }
}
