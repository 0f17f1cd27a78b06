package org.gtstore.tests.history;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Checks that a history of reads and writes is linearizable, key by key (linearizability is
 * local, so a history is linearizable iff each key's sub-history is), with the Wing-Gong
 * search as improved by Lowe: walk the call/return events in time order, try to linearize each
 * pending call, backtrack when a return is reached whose operation was not linearized yet, and
 * remember every (linearized set, register value) already explored so no state is searched twice.
 *
 * <p>The model is a register that starts empty ({@code null}); a write sets it, a read must
 * return it. A compare-and-set that took effect needs the register to hold what it expected
 * and sets it; one that failed needs the register to hold the value it was told, which is not
 * what it expected, and leaves it. A write with an unknown outcome has its return at infinity:
 * it may be linearized anywhere after its call, and linearizing it last is the same as it
 * never taking effect; a compare-and-set with an unknown outcome may also find the register
 * holding something else and do nothing.
 */
public final class RegisterChecker {

    /** The verdict for one key: linearizable, or the operations of the key for the report. */
    public record Violation(String key, List<Op> ops) {
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("not linearizable: key " + key + "\n");
            ops.stream().sorted(Comparator.comparingLong(Op::invokedNs))
                    .forEach(op -> b.append("  ").append(op).append('\n'));
            return b.toString();
        }
    }

    private RegisterChecker() {}

    /** The first key whose history is not linearizable, if any. */
    public static Optional<Violation> check(List<Op> ops) {
        Map<String, List<Op>> byKey = new LinkedHashMap<>();
        for (Op op : ops) {
            byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
        }
        for (Map.Entry<String, List<Op>> e : byKey.entrySet()) {
            if (!linearizable(e.getValue())) {
                return Optional.of(new Violation(e.getKey(), e.getValue()));
            }
        }
        return Optional.empty();
    }

    /** Whether one key's operations are linearizable. */
    static boolean linearizable(List<Op> ops) {
        Entry head = buildEntries(ops);
        Deque<Frame> stack = new ArrayDeque<>();
        Set<CacheKey> seen = new HashSet<>();
        BitSet linearized = new BitSet(ops.size());
        String state = null;
        Entry entry = head.next;
        while (head.next != null) {
            if (entry.isCall) {
                Op op = entry.op;
                boolean legal = legal(op, state);
                String next = next(op, state);
                if (legal) {
                    BitSet after = (BitSet) linearized.clone();
                    after.set(entry.slot);
                    if (seen.add(new CacheKey(after, next))) {
                        stack.push(new Frame(entry, state));
                        linearized = after;
                        state = next;
                        entry.lift();
                        entry = head.next;
                        continue;
                    }
                }
                entry = entry.next;
            } else {
                // A return whose call is still in the list: that operation had to take effect
                // before now, and no choice so far allows it. Undo the last choice.
                if (stack.isEmpty()) {
                    return false;
                }
                Frame frame = stack.pop();
                state = frame.state;
                linearized = (BitSet) linearized.clone();
                linearized.clear(frame.call.slot);
                frame.call.unlift();
                entry = frame.call.next;
            }
        }
        return true;
    }

    /** Whether {@code op} may take effect when the register holds {@code state}. */
    private static boolean legal(Op op, String state) {
        return switch (op.kind()) {
            case WRITE -> true;
            case READ -> Objects.equals(op.value(), state);
            case CAS -> op.outcomeUnknown() || Objects.equals(op.expected(), state);
            case CAS_FAILED -> Objects.equals(op.value(), state)
                    && !Objects.equals(op.expected(), state);
        };
    }

    /** The register after {@code op} took effect on {@code state}. */
    private static String next(Op op, String state) {
        return switch (op.kind()) {
            case WRITE -> op.value();
            case READ, CAS_FAILED -> state;
            case CAS -> Objects.equals(op.expected(), state) ? op.value() : state;
        };
    }

    private static Entry buildEntries(List<Op> ops) {
        List<Entry> events = new ArrayList<>(ops.size() * 2);
        int slot = 0;
        for (Op op : ops) {
            Entry call = new Entry(op, true, slot);
            Entry ret = new Entry(op, false, slot);
            call.match = ret;
            events.add(call);
            events.add(ret);
            slot++;
        }
        // Calls sort before returns at the same instant: operations that touch are concurrent.
        events.sort(Comparator.comparingLong(Entry::time).thenComparing(e -> e.isCall ? 0 : 1));
        Entry head = new Entry(null, false, -1);
        Entry prev = head;
        for (Entry e : events) {
            prev.next = e;
            e.prev = prev;
            prev = e;
        }
        return head;
    }

    private record Frame(Entry call, String state) {}

    private record CacheKey(BitSet linearized, String state) {}

    /** A node of the doubly linked event list; a call is linked to its return. */
    private static final class Entry {
        final Op op;
        final boolean isCall;
        final int slot;
        Entry match;
        Entry prev;
        Entry next;

        Entry(Op op, boolean isCall, int slot) {
            this.op = op;
            this.isCall = isCall;
            this.slot = slot;
        }

        long time() {
            return isCall ? op.invokedNs() : op.completedNs();
        }

        /** Removes this call and its return from the list. */
        void lift() {
            prev.next = next;
            if (next != null) {
                next.prev = prev;
            }
            match.prev.next = match.next;
            if (match.next != null) {
                match.next.prev = match.prev;
            }
        }

        /** Puts this call and its return back where they were (reverse order of lift). */
        void unlift() {
            match.prev.next = match;
            if (match.next != null) {
                match.next.prev = match;
            }
            prev.next = this;
            if (next != null) {
                next.prev = this;
            }
        }
    }
}
