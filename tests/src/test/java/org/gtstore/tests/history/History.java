package org.gtstore.tests.history;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A thread-safe recorder of client operations for the linearizability check. A client calls
 * {@link #invoke} just before sending and one of {@link #ok}, {@link #unknown} or
 * {@link #failed} when it knows the outcome.
 */
public final class History {
    private final AtomicInteger ids = new AtomicInteger();
    private final List<Op> ops = new ArrayList<>();
    private int acknowledgedWrites;
    private int unknownWrites;

    /** A pending operation. */
    public final class Pending {
        private final String key;
        private final Op.Kind kind;
        private final String written;
        private final long invokedNs;

        private Pending(String key, Op.Kind kind, String written) {
            this.key = key;
            this.kind = kind;
            this.written = written;
            this.invokedNs = System.nanoTime();
        }

        /** Completed: a write was acknowledged, or a read returned {@code value} (null = none). */
        public void ok(String value) {
            long now = System.nanoTime();
            add(new Op(ids.getAndIncrement(), key, kind, kind == Op.Kind.WRITE ? written : value,
                    invokedNs, now));
        }

        /** The outcome is unknown: a write may or may not have taken effect. A read is dropped. */
        public void unknown() {
            if (kind == Op.Kind.WRITE) {
                add(new Op(ids.getAndIncrement(), key, kind, written, invokedNs, Op.UNKNOWN));
            }
        }
    }

    public Pending invokeWrite(String key, String value) {
        return new Pending(key, Op.Kind.WRITE, value);
    }

    public Pending invokeRead(String key) {
        return new Pending(key, Op.Kind.READ, null);
    }

    /** A compare-and-set of {@code key} from {@code expected} (null: no value) to {@code value}. */
    public CasPending invokeCas(String key, String expected, String value) {
        return new CasPending(key, expected, value);
    }

    /** A pending compare-and-set. */
    public final class CasPending {
        private final String key;
        private final String expected;
        private final String written;
        private final long invokedNs = System.nanoTime();

        private CasPending(String key, String expected, String written) {
            this.key = key;
            this.expected = expected;
            this.written = written;
        }

        /** The condition held: the value was written. */
        public void written() {
            add(new Op(ids.getAndIncrement(), key, Op.Kind.CAS, written, invokedNs,
                    System.nanoTime(), expected));
        }

        /** The condition failed: the key's current value is {@code current} (null: none). */
        public void conflict(String current) {
            add(new Op(ids.getAndIncrement(), key, Op.Kind.CAS_FAILED, current, invokedNs,
                    System.nanoTime(), expected));
        }

        /** The outcome is unknown: it may have written, or not. */
        public void unknown() {
            add(new Op(ids.getAndIncrement(), key, Op.Kind.CAS, written, invokedNs, Op.UNKNOWN,
                    expected));
        }
    }

    private synchronized void add(Op op) {
        ops.add(op);
        if (op.kind() == Op.Kind.WRITE || op.kind() == Op.Kind.CAS) {
            if (op.outcomeUnknown()) {
                unknownWrites++;
            } else {
                acknowledgedWrites++;
            }
        }
    }

    public synchronized List<Op> ops() {
        return List.copyOf(ops);
    }

    public synchronized int acknowledgedWrites() {
        return acknowledgedWrites;
    }

    public synchronized int unknownWrites() {
        return unknownWrites;
    }
}
